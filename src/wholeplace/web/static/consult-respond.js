// A published consultation: tell the server once that this visitor started answering (the
// drop-off funnel's "started"; no personal data, only the page's own cookie). The live
// arithmetic is consult-page.js; without JavaScript the form still works.
(function () {
  'use strict'
  var form = document.getElementById('consult-form')
  if (!form || !form.getAttribute('data-started-url')) return
  var sent = false
  function started () {
    if (sent) return
    sent = true
    var body = new URLSearchParams()
    body.append('csrf_token', form.elements.csrf_token.value)
    var url = form.getAttribute('data-started-url')
    if (navigator.sendBeacon) {
      navigator.sendBeacon(url, body)
    } else {
      fetch(url, { method: 'POST', body: body, credentials: 'same-origin' })
    }
  }
  form.addEventListener('input', started)
  form.addEventListener('change', started)
})()
