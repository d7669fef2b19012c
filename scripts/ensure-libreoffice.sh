#!/bin/sh
# Make sure LibreOffice (headless soffice) is there: formkit converts documents with it
# and the tests check that LibreOffice keeps what formkit writes. `make gallery` also needs
# pdftoppm (poppler-utils) to render the PDFs to PNG pages.
set -eu
if command -v soffice >/dev/null 2>&1 && command -v pdftoppm >/dev/null 2>&1; then
  exit 0
fi
PACKAGES="libreoffice-calc-nogui libreoffice-writer-nogui fonts-dejavu-core poppler-utils"
if command -v apt-get >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ]; then SUDO=""; elif command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else SUDO="none"; fi
  if [ "$SUDO" != "none" ]; then
    echo "LibreOffice ontbreekt; installeren met apt-get ($PACKAGES) ..."
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $PACKAGES
    command -v soffice >/dev/null 2>&1 && command -v pdftoppm >/dev/null 2>&1 && exit 0
  fi
fi
echo "LibreOffice (soffice) of pdftoppm (poppler-utils) ontbreekt en kan hier niet automatisch worden geïnstalleerd." >&2
echo "Installeer het als beheerder, bijvoorbeeld: apt-get install $PACKAGES" >&2
exit 1
