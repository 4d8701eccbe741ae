// The @ picker, as in Lark: typing "@" offers the bot and the chat's people; choosing one inserts "@Name ".
// `mentionables()` gives the people to offer; the caller passes each keydown to `onKeydown` first.

export function createMentionPicker(input, list, mentionables) {
  const picker = { items: [], index: 0, start: -1 };

  function close() {
    picker.items = [];
    picker.start = -1;
    list.hidden = true;
  }

  function draw() {
    list.replaceChildren(
      ...picker.items.map((item, i) => {
        const li = document.createElement('li');
        li.setAttribute('role', 'option');
        li.setAttribute('aria-selected', String(i === picker.index));
        li.dataset.openId = item.openId;
        li.textContent = item.name;
        li.addEventListener('mousedown', (event) => {
          event.preventDefault();
          choose(i);
        });
        return li;
      }),
    );
    list.hidden = picker.items.length === 0;
  }

  function update() {
    const before = input.value.slice(0, input.selectionStart ?? input.value.length);
    const match = /(^|\s)@([^\s@]*)$/.exec(before);
    if (!match) return close();
    const query = match[2].toLowerCase();
    picker.start = before.length - match[2].length - 1;
    picker.items = mentionables().filter((p) => p.name.toLowerCase().includes(query));
    picker.index = 0;
    draw();
  }

  function choose(i) {
    const item = picker.items[i];
    if (!item) return;
    const end = input.selectionStart ?? input.value.length;
    input.value = `${input.value.slice(0, picker.start)}@${item.name} ${input.value.slice(end)}`;
    const caret = picker.start + item.name.length + 2;
    input.setSelectionRange(caret, caret);
    close();
    input.focus();
  }

  input.addEventListener('input', update);
  input.addEventListener('blur', () => setTimeout(close, 150));

  /** Whether the picker took the key (arrows, Enter/Tab to choose, Escape to close). */
  function onKeydown(event) {
    if (picker.items.length === 0) return false;
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      const n = picker.items.length;
      picker.index = (picker.index + (event.key === 'ArrowDown' ? 1 : n - 1)) % n;
      draw();
      return true;
    }
    if (event.key === 'Enter' || event.key === 'Tab') {
      event.preventDefault();
      choose(picker.index);
      return true;
    }
    if (event.key === 'Escape') {
      close();
      return true;
    }
    return false;
  }

  return { onKeydown, close };
}
