// A searchable list (the WAI-ARIA combobox pattern with a listbox popup): typing filters the options
// (substring, any case), ArrowDown/ArrowUp move through them, Enter picks the active one, Escape
// closes the list; a click picks too. Focus stays in the text field throughout
// (aria-activedescendant names the active option).

import { element } from './dom.js';

const MAX_SHOWN = 200;

export class Combobox {
  /** onPick(value) is called with the chosen option's value. */
  constructor(input, listbox, onPick) {
    this.input = input;
    this.listbox = listbox;
    this.onPick = onPick;
    this.options = [];
    this.shown = [];
    this.active = -1;
    input.addEventListener('input', () => this.open());
    input.addEventListener('keydown', (event) => this.key(event));
    input.addEventListener('blur', () => this.close());
    // mousedown, not click: the input would lose focus (and the list close) before a click lands
    listbox.addEventListener('mousedown', (event) => {
      const option = event.target.closest('[role="option"]');
      if (!option) return;
      event.preventDefault();
      this.pick(option.dataset.value);
    });
  }

  /** options: [{ value, detail }] (detail: a short description shown beside the value). */
  setOptions(options) {
    this.options = options;
    if (!this.listbox.hidden) this.open();
  }

  open() {
    const needle = this.input.value.trim().toLowerCase();
    this.shown = this.options.filter((o) => o.value.toLowerCase().includes(needle)).slice(0, MAX_SHOWN);
    this.listbox.replaceChildren(...this.shown.map((o, i) => element('li',
      { id: `${this.listbox.id}-${i}`, role: 'option', 'aria-selected': 'false', 'data-value': o.value },
      o.value, ...(o.detail ? [' ', element('span', { class: 'detail' }, o.detail)] : []))));
    if (this.shown.length === 0) {
      this.listbox.append(element('li', { class: 'none', 'aria-disabled': 'true' }, 'No meter matches'));
    }
    this.listbox.hidden = false;
    this.input.setAttribute('aria-expanded', 'true');
    this.activate(this.shown.length > 0 && needle ? 0 : -1);
  }

  close() {
    this.listbox.hidden = true;
    this.input.setAttribute('aria-expanded', 'false');
    this.input.removeAttribute('aria-activedescendant');
    this.active = -1;
  }

  activate(index) {
    this.active = index;
    [...this.listbox.querySelectorAll('[role="option"]')].forEach((li, i) => {
      li.setAttribute('aria-selected', String(i === index));
      if (i === index) li.scrollIntoView({ block: 'nearest' });
    });
    if (index >= 0) this.input.setAttribute('aria-activedescendant', `${this.listbox.id}-${index}`);
    else this.input.removeAttribute('aria-activedescendant');
  }

  pick(value) {
    this.input.value = value;
    this.close();
    this.onPick(value);
  }

  key(event) {
    const isOpen = !this.listbox.hidden;
    switch (event.key) {
      case 'ArrowDown':
        event.preventDefault();
        if (!isOpen) this.open();
        else if (this.shown.length) this.activate((this.active + 1) % this.shown.length);
        break;
      case 'ArrowUp':
        event.preventDefault();
        if (!isOpen) this.open();
        else if (this.shown.length) this.activate((this.active - 1 + this.shown.length) % this.shown.length);
        break;
      case 'Enter':
        if (isOpen && this.active >= 0) {
          event.preventDefault();
          this.pick(this.shown[this.active].value);
        } else if (isOpen) {
          // a name typed in full is as good as one picked
          const exact = this.options.find((o) => o.value === this.input.value.trim());
          if (exact) {
            event.preventDefault();
            this.pick(exact.value);
          }
        }
        break;
      case 'Escape':
        if (isOpen) {
          event.preventDefault();
          this.close();
        }
        break;
      default:
    }
  }
}
