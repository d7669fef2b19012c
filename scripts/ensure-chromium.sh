#!/bin/sh
# Make sure Debian's chromium is there: the app's end-to-end and accessibility tests drive it
# headless through Playwright, and `make gallery` takes the app's screenshots with it.
# Playwright's own browser download is never used (it cannot be fetched here nor on CI).
set -eu
if command -v chromium >/dev/null 2>&1; then
  exit 0
fi
PACKAGES="chromium fonts-dejavu-core"
if command -v apt-get >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ]; then SUDO=""; elif command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else SUDO="none"; fi
  if [ "$SUDO" != "none" ]; then
    echo "Chromium ontbreekt; installeren met apt-get ($PACKAGES) ..."
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $PACKAGES
    command -v chromium >/dev/null 2>&1 && exit 0
  fi
fi
echo "Chromium (de browser voor de tests van de app) ontbreekt en kan hier niet automatisch worden geïnstalleerd." >&2
echo "Installeer het als beheerder, bijvoorbeeld: apt-get install $PACKAGES" >&2
exit 1
