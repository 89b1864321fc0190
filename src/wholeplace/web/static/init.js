// Start GOV.UK Frontend's components (service navigation toggle, skip link, ...).
import { initAll } from '/static/govuk/govuk-frontend.min.js'
initAll()
