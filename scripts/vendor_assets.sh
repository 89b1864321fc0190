#!/usr/bin/env bash
# Copy the pinned front-end packages (installed by `npm ci`) into the web app's static folder.
#
#   GOV.UK Frontend  -> src/wholeplace/web/static/govuk/   (CSS, JS, fonts, images, rebrand)
#   axe-core         -> src/wholeplace/web/static/vendor/axe.min.js            (browser tests)
#   swagger-ui-dist  -> src/wholeplace/web/static/vendor/swagger-ui/           (/docs)
#
# Nothing is fetched at run time: the app serves every asset from /static. The script is
# idempotent: it replaces the vendored folders wholesale on every run.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
modules="$root/node_modules"
static="$root/src/wholeplace/web/static"
govuk_src="$modules/govuk-frontend/dist/govuk"

for pkg in govuk-frontend axe-core swagger-ui-dist; do
  if [ ! -d "$modules/$pkg" ]; then
    echo "node_modules/$pkg is missing: run 'npm ci' in $root first." >&2
    exit 1
  fi
done

rm -rf "$static/govuk" "$static/vendor"
mkdir -p "$static/govuk/assets" "$static/vendor/swagger-ui"

cp "$govuk_src/govuk-frontend.min.css" "$govuk_src/govuk-frontend.min.js" "$static/govuk/"
cp -R "$govuk_src/assets/fonts" "$govuk_src/assets/images" "$static/govuk/assets/"
if [ -f "$govuk_src/assets/manifest.json" ]; then
  cp "$govuk_src/assets/manifest.json" "$static/govuk/assets/"
fi
if [ -d "$govuk_src/assets/rebrand" ]; then
  cp -R "$govuk_src/assets/rebrand" "$static/govuk/assets/"
fi
# The stylesheet points at /assets/...; the app serves them under /static/govuk/assets/.
sed -i 's#url(/assets/#url(/static/govuk/assets/#g' "$static/govuk/govuk-frontend.min.css"

cp "$modules/axe-core/axe.min.js" "$static/vendor/"
cp "$modules/swagger-ui-dist/swagger-ui-bundle.js" "$modules/swagger-ui-dist/swagger-ui.css" \
   "$static/vendor/swagger-ui/"

echo "Vendored govuk-frontend $(node -p "require('$modules/govuk-frontend/package.json').version"), \
axe-core $(node -p "require('$modules/axe-core/package.json').version"), \
swagger-ui-dist $(node -p "require('$modules/swagger-ui-dist/package.json').version") into $static"
