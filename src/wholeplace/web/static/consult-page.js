// The simulator page with JavaScript: a slider beside each typed amount, and the running
// balance, consequences and council tax bills recalculated on every change by consult.js (the
// same arithmetic as the server). Without JavaScript the form recalculates on submit instead.
(function () {
  'use strict'
  var C = window.WholeplaceConsult
  var form = document.getElementById('consult-form')
  var source = document.getElementById('consult-definition')
  if (!C || !form || !source) return
  var def = JSON.parse(source.textContent)
  var balance = document.getElementById('consult-balance-text')
  var MINUS = '\u2212'

  function money (pence, pennies) {
    var sign = pence < 0 ? MINUS : ''
    var a = Math.abs(pence)
    var whole = Math.floor(a / 100).toLocaleString('en-GB')
    var p = a % 100
    return sign + '£' + whole + ((pennies || p) ? '.' + String(p).padStart(2, '0') : '')
  }
  function signed (pence, pennies) { return (pence > 0 ? '+' : '') + money(pence, pennies) }
  function clean (text) {
    return String(text).replace(/[,£%\s]/g, '').replace(/\u2212/g, '-') || '0'
  }
  function value (name) {
    var el = form.elements.namedItem(name)
    return el ? clean(el.value) : '0'
  }

  function response () {
    var changes = {}
    def.lines.forEach(function (l) { changes[l.id] = value('line__' + l.id) })
    return { line_changes: changes, council_tax_change: value('council_tax_change'),
      adult_social_care_change: value('adult_social_care_change'),
      fees_change: value('fees_change'), reserves_use: value('reserves_use') }
  }

  function setText (selector, text) {
    var el = document.querySelector(selector)
    if (el) el.textContent = text
  }

  function update () {
    var result
    try {
      result = C.check(def, response())
    } catch (e) {
      balance.textContent = balance.getAttribute('data-invalid')
      return
    }
    var out = result.outcome
    var r = out.remaining_pence
    balance.textContent = r > 0
      ? balance.getAttribute('data-still').replace('{amount}', money(r))
      : r === 0 ? balance.getAttribute('data-balanced')
        : balance.getAttribute('data-spare').replace('{amount}', money(-r))
    out.lines.forEach(function (lo) {
      setText('[data-after="' + lo.id + '"]', money(lo.after_pence))
      var list = document.querySelector('[data-reached="' + lo.id + '"]')
      if (list) {
        list.textContent = ''
        lo.consequences.forEach(function (text) {
          var li = document.createElement('li')
          li.textContent = text
          list.appendChild(li)
        })
      }
    })
    if (out.tax) {
      setText('[data-tax-yield]', signed(out.tax.yield_pence))
      Object.keys(out.tax.bands).forEach(function (b) {
        setText('[data-band-year="' + b + '"]', signed(out.tax.bands[b].per_year_pence, true))
        setText('[data-band-week="' + b + '"]', signed(out.tax.bands[b].per_week_pence, true))
      })
      var band = form.elements.namedItem('band')
      var bill = document.querySelector('[data-your-bill]')
      if (band && bill) {
        var row = out.tax.bands[band.value]
        bill.textContent = bill.getAttribute('data-template')
          .replace('{year}', signed(row.per_year_pence, true))
          .replace('{week}', signed(row.per_week_pence, true))
      }
      var warn = document.getElementById('consult-referendum')
      if (warn) warn.hidden = !out.tax.excessive
    }
  }

  // A slider for each amount, kept in step with the typed value both ways.
  Array.prototype.forEach.call(form.querySelectorAll('[data-consult-amount]'), function (input) {
    var slider = document.createElement('input')
    slider.type = 'range'
    slider.className = 'consult-slider'
    slider.min = input.getAttribute('data-min')
    slider.max = input.getAttribute('data-max')
    slider.step = input.getAttribute('data-step')
    slider.value = clean(input.value)
    slider.setAttribute('aria-labelledby', input.id + '-label')
    slider.setAttribute('aria-describedby', input.getAttribute('aria-describedby') || '')
    slider.tabIndex = 0
    var label = form.querySelector('label[for="' + input.id + '"]')
    if (label && !label.id) label.id = input.id + '-label'
    slider.addEventListener('input', function () {
      input.value = slider.value
      update()
    })
    input.addEventListener('input', function () {
      var n = Number(clean(input.value))
      if (!isNaN(n)) slider.value = String(n)
    })
    input.parentNode.parentNode.insertBefore(slider, input.parentNode.nextSibling)
  })
  form.addEventListener('input', update)
  // the later costs of a cut are the server's (recalculated on Recalculate or Submit): say so
  // once the answers change, rather than show figures for other amounts
  form.addEventListener('input', function () {
    Array.prototype.forEach.call(document.querySelectorAll('[data-later-stale]'),
      function (el) { el.hidden = false })
  })
  form.addEventListener('change', update)
  update()
})()
