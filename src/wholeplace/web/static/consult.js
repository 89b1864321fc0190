// The budget simulator's arithmetic in the browser: the same rules, on the same integers, with
// the same rounding as the server's engine (src/wholeplace/consult/engine.py). A test runs both
// on many responses and requires identical results, so the page and the server cannot disagree.
// Money is BigInt pence, percentages BigInt basis points; rounding is to the nearest unit,
// halves away from zero. No build step, no framework: a plain script, also loadable by Node.
(function (root) {
  'use strict'
  var BANDS = [['A', 6n], ['B', 7n], ['C', 8n], ['D', 9n], ['E', 11n], ['F', 13n], ['G', 15n],
    ['H', 18n]]

  function abs (n) { return n < 0n ? -n : n }

  function roundHalfAway (numerator, denominator) {
    var magnitude = (2n * abs(numerator) + denominator) / (2n * denominator)
    return numerator >= 0n ? magnitude : -magnitude
  }

  // "1234.5" -> 123450n; refuses anything but at most two decimal places.
  function hundredths (value) {
    var text = String(value === undefined || value === null ? '0' : value).trim()
    var m = /^([+-]?)(\d+)(?:\.(\d{1,2}))?$/.exec(text)
    if (!m) throw new Error('Not an amount with at most two decimal places: ' + text)
    var n = BigInt(m[2]) * 100n + BigInt(((m[3] || '') + '00').slice(0, 2))
    return m[1] === '-' ? -n : n
  }

  function num (b) { return Number(b) }

  function gap (def) {
    if (def.target.kind === 'gap') return hundredths(def.target.amount)
    var total = 0n
    def.lines.forEach(function (l) { total += hundredths(l.current_budget) })
    return total - hundredths(def.target.amount)
  }

  function reached (line, change) {
    var hits = []
    ;(line.consequences || []).forEach(function (k) {
      var at = hundredths(k.at)
      if ((at < 0n && change <= at) || (at > 0n && change >= at)) hits.push([abs(at), k.text])
    })
    hits.sort(function (a, b) {
      if (a[0] !== b[0]) return a[0] < b[0] ? -1 : 1
      return a[1] < b[1] ? -1 : (a[1] > b[1] ? 1 : 0)
    })
    return hits.map(function (h) { return h[1] })
  }

  function bandBill (bandD, ratio) { return roundHalfAway(bandD * ratio, 9n) }

  function isExcessive (p, before, after) {
    var increase = after - before
    var overPercent = p.percent_bp !== undefined && p.percent_bp !== null &&
      increase * 10000n >= BigInt(p.percent_bp) * before
    var overPounds = p.pounds_pence !== undefined && p.pounds_pence !== null &&
      increase > BigInt(p.pounds_pence)
    if (p.rule === 'both') return overPercent && overPounds
    return p.rule === 'percent' ? overPercent : overPounds
  }

  function tax (ct, r) {
    var before = hundredths(ct.band_d)
    var base = hundredths(ct.tax_base)
    var coreBp = hundredths(r.council_tax_change)
    var ascBp = hundredths(r.adult_social_care_change)
    var after = before + roundHalfAway(before * (coreBp + ascBp), 10000n)
    var ascDelta = roundHalfAway(before * ascBp, 10000n)
    var total = roundHalfAway(base * (after - before), 100n)
    var asc = roundHalfAway(base * ascDelta, 100n)
    var others = 0n
    ;(ct.other_preceptors || []).forEach(function (p) { others += hundredths(p.band_d) })
    var bands = {}
    BANDS.forEach(function (b) {
      var ownBefore = bandBill(before, b[1])
      var ownAfter = bandBill(after, b[1])
      var perYear = ownAfter - ownBefore
      bands[b[0]] = {
        before_pence: num(ownBefore), after_pence: num(ownAfter), per_year_pence: num(perYear),
        per_week_pence: num(roundHalfAway(perYear, 52n)),
        total_before_pence: num(bandBill(before + others, b[1])),
        total_after_pence: num(bandBill(after + others, b[1]))
      }
    })
    var ref = ct.referendum
    var excessive = !!ref.limit && isExcessive(ref.limit.principle, before, after)
    return {
      band_d_before_pence: num(before), band_d_after_pence: num(after),
      core_yield_pence: num(total - asc), adult_social_care_yield_pence: num(asc),
      yield_pence: num(total), one_percent_pence: num(roundHalfAway(base * before, 10000n)),
      bands: bands, excessive: excessive, mode: ref.mode,
      referendum_cost_pence: ref.cost === undefined || ref.cost === null ? null
        : num(hundredths(ref.cost)),
      _yield: total, _before: before, _after: after
    }
  }

  function evaluateRaw (def, r) {
    var changes = r.line_changes || {}
    var spend = 0n
    var oneOff = 0n
    var lines = def.lines.map(function (l) {
      var change = hundredths(changes[l.id])
      var before = hundredths(l.current_budget)
      var recurring = l.recurring !== false
      spend += change
      if (!recurring) oneOff -= change
      return { id: l.id, change_pence: num(change), before_pence: num(before),
        after_pence: num(before + change), recurring: recurring,
        consequences: reached(l, change), _change: change, _after: before + change }
    })
    var t = def.council_tax ? tax(def.council_tax, r) : null
    var fees = hundredths(r.fees_change)
    var reserves = hundredths(r.reserves_use)
    oneOff += reserves
    if (def.fees && def.fees.recurring === false) oneOff += fees
    var g = gap(def)
    var remaining = g + spend - (t ? t._yield : 0n) - fees - reserves
    var warnings = []
    if (reserves > 0n) warnings.push('reserves_one_off')
    if (t && t.excessive) warnings.push('referendum_needed')
    return { gap: g, lines: lines, spend: spend, tax: t, fees: fees, reserves: reserves,
      oneOff: oneOff, remaining: remaining, warnings: warnings }
  }

  function publicTax (t) {
    if (!t) return null
    var out = {}
    Object.keys(t).forEach(function (k) { if (k[0] !== '_') out[k] = t[k] })
    return out
  }

  function toDict (raw) {
    return {
      gap_pence: num(raw.gap), spend_change_pence: num(raw.spend), fees_pence: num(raw.fees),
      reserves_pence: num(raw.reserves), one_off_pence: num(raw.oneOff),
      remaining_pence: num(raw.remaining), balanced: raw.remaining <= 0n,
      warnings: raw.warnings,
      lines: raw.lines.map(function (x) {
        return { id: x.id, change_pence: x.change_pence, before_pence: x.before_pence,
          after_pence: x.after_pence, recurring: x.recurring, consequences: x.consequences }
      }),
      tax: publicTax(raw.tax)
    }
  }

  function evaluate (def, r) { return toDict(evaluateRaw(def, r)) }

  function range (field, value, low, high, step) {
    if (value < low || value > high) return [{ field: field, code: 'out_of_range' }]
    if (value % step !== 0n) return [{ field: field, code: 'off_step' }]
    return []
  }

  function lineViolations (def, r, raw) {
    var found = []
    var known = {}
    def.lines.forEach(function (l) { known[l.id] = true })
    Object.keys(r.line_changes || {}).sort().forEach(function (id) {
      if (!known[id]) found.push({ field: 'line_changes.' + id, code: 'unknown_line' })
    })
    def.lines.forEach(function (l, i) {
      var lo = raw.lines[i]
      var field = 'line_changes.' + l.id
      found = found.concat(range(field, lo._change, hundredths(l.min_change),
        hundredths(l.max_change), hundredths(l.step)))
      if (l.protection && lo._after < hundredths(l.protection.minimum)) {
        found.push({ field: field, code: 'below_floor' })
      }
    })
    return found
  }

  function taxViolations (def, r, raw) {
    var ct = def.council_tax
    var core = hundredths(r.council_tax_change)
    var asc = hundredths(r.adult_social_care_change)
    if (!ct) {
      return (core || asc) ? [{ field: 'council_tax_change', code: 'not_offered' }] : []
    }
    var found = range('council_tax_change', core, hundredths(ct.core.min_change),
      hundredths(ct.core.max_change), hundredths(ct.core.step))
    if (!ct.adult_social_care) {
      if (asc) found.push({ field: 'adult_social_care_change', code: 'not_offered' })
    } else {
      var a = ct.adult_social_care
      found = found.concat(range('adult_social_care_change', asc, hundredths(a.min_change),
        hundredths(a.max_change), hundredths(a.step)))
    }
    if (raw.tax && raw.tax.excessive && ct.referendum.mode === 'hard_cap') {
      found.push({ field: 'council_tax_change', code: 'above_cap' })
    }
    return found
  }

  function moneyViolations (def, raw) {
    var found = []
    if (!def.fees) {
      if (raw.fees) found.push({ field: 'fees_change', code: 'not_offered' })
    } else {
      found = found.concat(range('fees_change', raw.fees, hundredths(def.fees.min_change),
        hundredths(def.fees.max_change), hundredths(def.fees.step)))
    }
    var res = def.reserves
    if (!res) {
      if (raw.reserves) found.push({ field: 'reserves_use', code: 'not_offered' })
    } else if (raw.reserves < 0n) {
      found.push({ field: 'reserves_use', code: 'out_of_range' })
    } else if (hundredths(res.available) - raw.reserves < hundredths(res.minimum_balance)) {
      found.push({ field: 'reserves_use', code: 'below_minimum' })
    } else if (raw.reserves % hundredths(res.step) !== 0n) {
      found.push({ field: 'reserves_use', code: 'off_step' })
    }
    return found
  }

  function check (def, r) {
    var raw = evaluateRaw(def, r)
    var found = lineViolations(def, r, raw).concat(taxViolations(def, r, raw),
      moneyViolations(def, raw))
    if (raw.remaining > 0n) found.push({ field: 'balance', code: 'unbalanced' })
    return { outcome: toDict(raw), violations: found }
  }

  var api = { evaluate: evaluate, check: check, hundredths: hundredths,
    roundHalfAway: roundHalfAway }
  if (typeof module !== 'undefined' && module.exports) {
    module.exports = api
  } else {
    root.WholeplaceConsult = api
  }
})(this)
