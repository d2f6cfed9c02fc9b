// The printable notice's "打印" button: the page has no inline script (CSP), so the button is bound here.
document.querySelectorAll('[data-print]').forEach(button => button.addEventListener('click', () => window.print()));
