#!/usr/bin/env bash
# Build the front-end into build/static from the locked npm packages: GOV.UK Frontend compiled with
# sass, its fonts, images and JavaScript, htmx, and our own assets. Nothing comes from a CDN.
set -euo pipefail
cd "$(dirname "$0")/.."
out=build/static
rm -rf "$out"
mkdir -p "$out/css" "$out/govuk" "$out/htmx" "$out/js" "$out/images"
npx --no-install sass --quiet-deps --no-source-map --style=compressed --load-path=node_modules \
  src/keepitlocal/web/assets/app.scss "$out/css/app.css"
cp -R node_modules/govuk-frontend/dist/govuk/assets "$out/govuk/assets"
cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js "$out/govuk/"
cp node_modules/htmx.org/dist/htmx.min.js "$out/htmx/"
cp src/keepitlocal/web/assets/js/*.mjs "$out/js/"
cp src/keepitlocal/web/assets/images/* "$out/images/"
echo "Assets built in $out"
