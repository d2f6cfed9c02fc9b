// Keeps a list live without a live connection: every few seconds (data-refresh-every) the page is read again and only
// the marked region is swapped, so a filter being chosen or the scroll position is not lost. Only while the tab is
// shown; a failed read (the network, an ended session) leaves the list as it is until the next turn.
(function () {
    'use strict';
    var region = document.querySelector('[data-refresh-every]');
    if (!region || !region.id || !window.fetch || !window.DOMParser) {
        return;
    }

    var every = Math.max(5, +region.getAttribute('data-refresh-every') || 15) * 1000;

    function refresh() {
        if (document.visibilityState !== 'visible') {
            later();
            return;
        }

        // No redirects followed: an ended session answers with the sign-in page, which must not replace the list.
        fetch(window.location.href, { credentials: 'same-origin', redirect: 'manual', headers: { 'Accept': 'text/html' } })
            .then(function (response) { return response.ok && response.type !== 'opaqueredirect' ? response.text() : null; })
            .then(function (html) {
                var fresh = html && new DOMParser().parseFromString(html, 'text/html').getElementById(region.id);
                if (fresh) {
                    region.innerHTML = fresh.innerHTML;
                }
            })
            .catch(function () { /* try again next turn */ })
            .then(later);
    }

    function later() {
        window.setTimeout(refresh, every);
    }

    later();
})();
