import { type FormElement, formWithInput } from './elements.js';
import { UI } from './i18n.js';
import { type Locale, REJECT_REASON_FIELD, REJECT_REASON_MAX, type RunView } from './model.js';

/** The approval card's Reject: an optional reason and the button, as one form (the reason comes with the click). */
export function rejectForm(view: RunView, locale: Locale): FormElement {
  return formWithInput(
    {
      id: 'reject_form',
      input: {
        name: REJECT_REASON_FIELD,
        placeholder: UI.rejectReasonPlaceholder,
        maxLength: REJECT_REASON_MAX,
      },
      button: {
        id: 'reject_btn',
        text: UI.reject,
        type: 'danger',
        value: { action: 'reject', run: view.runId },
      },
    },
    locale,
  );
}
