// The place profile: switch the comparator group as soon as a radio is chosen. Without
// JavaScript the form's button does the same.
for (const form of document.querySelectorAll('form[data-module="wp-autosubmit"]')) {
  form.addEventListener('change', () => form.requestSubmit())
}
