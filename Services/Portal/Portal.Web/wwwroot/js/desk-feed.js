// The duty desk's live feed (值班台): the header's bell and list (and the list on /notifications) take each new item as
// it is posted, through the portal's own /desk/stream (server-sent events, proxied from Notification with the user's
// session). EventSource reconnects by itself and sends the last event's id, so what arrived meanwhile is replayed; an
// item already shown (a replay that overlaps) is not added twice. The words come from the page's template.
(function () {
    'use strict';
    var feed = document.querySelector('[data-testid=desk-feed][data-stream]');
    if (!feed || !window.EventSource || feed.getAttribute('data-live') === 'true') {
        return;
    }

    feed.setAttribute('data-live', 'true');
    var template = feed.querySelector('template[data-desk-template]');
    var badge = feed.querySelector('[data-testid=desk-unread]');
    var lastRead = +feed.getAttribute('data-last-read') || 0;
    var keep = +feed.getAttribute('data-keep') || 10;

    function shown(list, feedId) {
        return !!list.querySelector('[data-feed-id="' + feedId + '"]');
    }

    // A path of this site only: never another host or a script URL, whatever the item says.
    function localLink(link) {
        return typeof link === 'string' && link.length > 1 && link.charAt(0) === '/' && link.charAt(1) !== '/' && link.charAt(1) !== '\\'
            ? link : '/notifications';
    }

    // The time as every page shows it: Beijing time (UTC+8), to the minute.
    function beijingTime(iso) {
        var at = new Date(iso);
        if (isNaN(at.getTime())) {
            return '';
        }

        var local = new Date(at.getTime() + 8 * 3600 * 1000);
        function two(n) { return (n < 10 ? '0' : '') + n; }
        return local.getUTCFullYear() + '-' + two(local.getUTCMonth() + 1) + '-' + two(local.getUTCDate()) + ' ' +
            two(local.getUTCHours()) + ':' + two(local.getUTCMinutes());
    }

    function render(item) {
        var li = template.content.firstElementChild.cloneNode(true);
        li.setAttribute('data-feed-id', String(item.feedId));
        li.setAttribute('data-kind', item.kind || '');
        li.setAttribute('data-case-number', item.caseNumber || '');
        li.querySelector('[data-field=link]').setAttribute('href', localLink(item.link));
        li.querySelector('[data-field=title]').textContent = item.title || '';
        li.querySelector('[data-field=message]').textContent = item.message || '';
        var time = li.querySelector('[data-field=time]');
        time.textContent = beijingTime(item.createdAt);
        time.setAttribute('datetime', item.createdAt || '');
        return li;
    }

    function add(item) {
        if (!item || typeof item.feedId !== 'number') {
            return;
        }

        var lists = document.querySelectorAll('[data-desk-list]');
        var isNew = false;
        for (var i = 0; i < lists.length; i++) {
            var list = lists[i];
            if (list.getAttribute('data-desk-live') === 'false' || shown(list, item.feedId)) {
                continue;
            }

            isNew = true;
            list.insertBefore(render(item), list.firstChild);
            var limit = +list.getAttribute('data-desk-keep') || (list.closest('[data-testid=desk-feed]') ? keep : 0);
            while (limit > 0 && list.children.length > limit) {
                list.removeChild(list.lastElementChild);
            }
        }

        if (!isNew) {
            return;
        }

        var empties = document.querySelectorAll('[data-desk-empty]');
        for (var j = 0; j < empties.length; j++) {
            empties[j].hidden = true;
        }

        // "全部已读" marks up to the newest item the user has been shown, the live ones included.
        var upTo = document.querySelectorAll('[data-desk-up-to]');
        for (var k = 0; k < upTo.length; k++) {
            if (item.feedId > (+upTo[k].value || 0)) {
                upTo[k].value = String(item.feedId);
            }
        }

        if (badge && item.feedId > lastRead) {
            badge.textContent = String((+badge.textContent || 0) + 1);
            badge.hidden = false;
        }
    }

    var source = new EventSource(feed.getAttribute('data-stream'));
    source.addEventListener('desk-item', function (event) {
        try {
            add(JSON.parse(event.data));
        } catch (e) {
            // An event the page cannot read is skipped; the list on /notifications has it.
        }
    });
    // EventSource retries by itself after an error; the page closing ends it.
    window.addEventListener('pagehide', function () { source.close(); });
})();
