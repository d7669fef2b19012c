// Retour page: files dropped on the upload form become the file input's files and the form is sent.
// Without this script the file input and its button do the same.
(function () {
  "use strict";

  function setup() {
    var form = document.getElementById("retour-upload");
    if (!form) {
      return;
    }
    var input = form.querySelector('input[type="file"]');
    var busy = document.getElementById("retour-bezig");

    function over(event) {
      event.preventDefault();
      form.classList.add("retour-erboven");
    }
    function away() {
      form.classList.remove("retour-erboven");
    }
    form.addEventListener("dragenter", over);
    form.addEventListener("dragover", over);
    form.addEventListener("dragleave", away);
    form.addEventListener("drop", function (event) {
      event.preventDefault();
      away();
      if (!event.dataTransfer || !event.dataTransfer.files.length) {
        return;
      }
      input.files = event.dataTransfer.files;
      if (form.requestSubmit) {
        form.requestSubmit();
      } else {
        form.submit();
      }
    });
    form.addEventListener("submit", function () {
      var count = input.files ? input.files.length : 0;
      if (busy && count) {
        busy.textContent = count === 1 ? "1 bestand wordt geüpload ..." : count + " bestanden worden geüpload ...";
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setup);
  } else {
    setup();
  }
})();
