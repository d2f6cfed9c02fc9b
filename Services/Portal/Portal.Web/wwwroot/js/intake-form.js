// The intake form's helpers (the server checks everything again): the ID number checked as it is typed, with sex and
// birth date filled in from it; a draft kept in this tab's sessionStorage so a reload or a lost connection loses nothing
// (gone when the tab closes: a shared PC keeps no one's details); one submit per click.
(function () {
    'use strict';
    var DRAFT = 'relief.intake.draft';
    var banner = document.querySelector('[data-clear-draft="true"]');
    if (banner) {
        sessionStorage.removeItem(DRAFT); // registered: the draft is done with
        return;
    }

    var form = document.getElementById('intake-form');
    if (!form) {
        return;
    }

    var WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    var CHECKS = '10X98765432';
    function idProblem(value) {
        if (!/^\d{17}[\dX]$/.test(value)) {
            return value.length < 18 ? null : '身份证号为 17 位数字加校验位 / 17 digits and a check character';
        }
        var sum = 0;
        for (var i = 0; i < 17; i++) {
            sum += (value.charCodeAt(i) - 48) * WEIGHTS[i];
        }
        if (CHECKS[sum % 11] !== value[17]) {
            return '校验位错误 / check character is wrong';
        }
        var y = +value.substr(6, 4), m = +value.substr(10, 2), d = +value.substr(12, 2);
        var birth = new Date(Date.UTC(y, m - 1, d));
        if (birth.getUTCMonth() !== m - 1 || birth.getUTCDate() !== d || birth > new Date() || y < 1850) {
            return '出生日期不可能 / the birth date is impossible';
        }
        return '';
    }

    var id = form.querySelector('#idNumber');
    var counties = JSON.parse(id.getAttribute('data-counties') || '{}');
    var hint = form.querySelector('#idNumber-hint');
    function checkId(fill) {
        var value = id.value.trim().toUpperCase();
        var problem = value ? idProblem(value) : null;
        hint.textContent = problem === '' ? '✓ 校验通过 / valid' : (problem || '');
        hint.className = 'hint' + (problem ? ' bad' : problem === '' ? ' good' : '');
        if (problem === '' && fill) {
            form.querySelector('#sex').value = (+value[16]) % 2 === 1 ? 'Male' : 'Female';
            form.querySelector('#birthDate').value = value.substr(6, 4) + '-' + value.substr(10, 2) + '-' + value.substr(12, 2);
            // The region code is where the card was issued: the household place, named when it is one of Yuncheng's.
            var place = form.querySelector('#householdPlace');
            var county = counties[value.substr(0, 6)];
            if (county && !place.value) {
                place.value = '山西省运城市' + county;
            } else if (!county) {
                hint.textContent += ' · 户籍地区码 / region ' + value.substr(0, 6);
            }
        }
    }
    id.addEventListener('input', function () { checkId(true); });

    var name = form.querySelector('#personName');
    var unknown = form.querySelector('#nameUnknown');
    function nameState() { name.disabled = unknown.checked; }
    unknown.addEventListener('change', nameState);

    function save() {
        var draft = {};
        Array.prototype.forEach.call(form.elements, function (el) {
            if (!el.name || el.name === '__RequestVerificationToken' || el.name === '_handler') {
                return;
            }
            if (el.type === 'checkbox') {
                draft[el.name + '=' + el.value] = el.checked;
            } else {
                draft[el.name] = el.value;
            }
        });
        sessionStorage.setItem(DRAFT, JSON.stringify(draft));
    }

    function restore() {
        var text = sessionStorage.getItem(DRAFT);
        if (!text) {
            return;
        }
        var draft = JSON.parse(text);
        Array.prototype.forEach.call(form.elements, function (el) {
            if (!el.name || el.type === 'hidden' && el.name !== 'idempotencyKey') {
                return;
            }
            if (el.type === 'checkbox') {
                var key = el.name + '=' + el.value;
                if (key in draft) { el.checked = draft[key]; }
            } else if (el.name in draft && !el.readOnly) {
                el.value = draft[el.name];
            }
        });
    }

    // A page the server sent back with errors carries what was posted; a fresh page takes the draft.
    if (!form.querySelector('.field-error') && !document.querySelector('.notice-error')) {
        restore();
    } else {
        save();
    }
    nameState();
    checkId(false);
    form.addEventListener('input', save);
    form.addEventListener('change', save);

    document.getElementById('clear-draft').addEventListener('click', function () {
        sessionStorage.removeItem(DRAFT);
        window.location.href = '/cases/new';
    });

    // Sections and guidance that appear as the situation needs them: each names the situations and needs that call for
    // it; a section that already holds something, or that staff opened, stays.
    var ticked = function () {
        return Array.prototype.map.call(form.querySelectorAll('input[type=checkbox][name=situations]:checked, input[type=checkbox][name=needs]:checked'),
            function (box) { return box.value; });
    };
    var holdsSomething = function (section) {
        return Array.prototype.some.call(section.querySelectorAll('input, textarea'), function (el) { return el.value.trim() !== ''; });
    };
    function showSections() {
        var now = ticked();
        Array.prototype.forEach.call(form.querySelectorAll('[data-shown-when]'), function (el) {
            var wanted = el.getAttribute('data-shown-when').split(' ').some(function (key) { return now.indexOf(key) >= 0; });
            var keep = el.tagName === 'FIELDSET' && (el.hasAttribute('data-opened') || holdsSomething(el));
            el.hidden = !(wanted || keep);
            var reveal = form.querySelector('[data-reveal="' + el.getAttribute('data-section') + '"]');
            if (reveal) { reveal.hidden = !el.hidden; }
        });
    }
    Array.prototype.forEach.call(form.querySelectorAll('[data-reveal]'), function (button) {
        button.addEventListener('click', function () {
            var section = form.querySelector('[data-section="' + button.getAttribute('data-reveal') + '"]');
            section.setAttribute('data-opened', 'true');
            showSections();
            var first = section.querySelector('input, textarea');
            if (first) { first.focus(); }
        });
    });
    showSections();
    form.addEventListener('change', showSections);

    var submitting = false;
    form.addEventListener('submit', function (event) {
        if (submitting) {
            event.preventDefault(); // a double click: the first submit is on its way
            return;
        }
        submitting = true;
        save();
        form.querySelector('[data-testid=register]').setAttribute('aria-busy', 'true');
    });
})();
