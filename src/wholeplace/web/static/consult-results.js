// The results dashboard follows its server-sent events: each event carries the results
// section re-rendered by the server, which replaces the one on the page. Without JavaScript
// the page keeps its "Refresh results" button.
(function () {
  var box = document.getElementById('wp-results')
  if (!box || !window.EventSource) return
  var status = document.getElementById('wp-results-status')
  var note = document.getElementById('wp-live-note')
  var current = box.querySelector('[data-signature]')
  var url = box.getAttribute('data-stream') + '?seen=' +
    encodeURIComponent(current ? current.getAttribute('data-signature') : '')
  var source = new EventSource(url)
  if (note) note.textContent = 'These results update by themselves as responses arrive.'
  source.addEventListener('results', function (e) {
    var data = JSON.parse(e.data)
    box.innerHTML = data.html
    if (status) status.textContent = 'Results updated: ' + data.responses + ' responses.'
  })
})()
