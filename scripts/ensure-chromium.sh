#!/bin/sh
# Make sure Debian's chromium is there: the app's end-to-end and accessibility tests drive it
# headless through Playwright, and `make gallery` takes the app's screenshots with it.
# Playwright's own browser download is never used (it cannot be fetched here nor on CI).
# chromium-l10n gives the browser's own parts (file chooser, date field) in Dutch, as on a
# secretary's laptop; without it the screenshots show them in English, so it is wished, not required.
set -eu
have_chromium() { command -v chromium >/dev/null 2>&1; }
have_dutch() { ! command -v dpkg-query >/dev/null 2>&1 || dpkg-query -W -f='${Status}' chromium-l10n 2>/dev/null | grep -q "ok installed"; }
if have_chromium && have_dutch; then
  exit 0
fi
PACKAGES="chromium chromium-l10n fonts-dejavu-core"
if command -v apt-get >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ]; then SUDO=""; elif command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else SUDO="none"; fi
  if [ "$SUDO" != "none" ]; then
    echo "Chromium (of de Nederlandse taal ervan) ontbreekt; installeren met apt-get ($PACKAGES) ..."
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $PACKAGES
    have_chromium && exit 0
  fi
fi
if have_chromium; then
  echo "Let op: chromium-l10n ontbreekt; de schermafdrukken tonen de onderdelen van de browser zelf in het Engels." >&2
  exit 0
fi
echo "Chromium (de browser voor de tests van de app) ontbreekt en kan hier niet automatisch worden geïnstalleerd." >&2
echo "Installeer het als beheerder, bijvoorbeeld: apt-get install $PACKAGES" >&2
exit 1
