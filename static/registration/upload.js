// Upload of both sides of the card: pick or photograph, preview, downscale very large photos, send both
// with progress, then poll the small progress endpoint until the form is ready and navigate once.
// Works whether OCR runs eagerly (the POST itself waits, then says "ready") or on a Celery worker.
(function () {
  "use strict";

  var form = document.getElementById("upload-form");
  if (!form) return;
  var text = JSON.parse(document.getElementById("upload-text").textContent);
  var MAX_SIDE = parseInt(form.dataset.maxSide, 10) || 2000;
  // Re-encode files larger than this even when their pixels are within MAX_SIDE (slow mobile uplinks).
  var MAX_BYTES = parseInt(form.dataset.maxBytes, 10) || 4 * 1024 * 1024;
  var JPEG_QUALITY = 0.9;
  var POLL_FIRST_MS = 300;
  var POLL_MAX_MS = 2000;
  var POLL_GIVE_UP_MS = 3 * 60 * 1000;

  var chosen = { front: null, back: null };
  var busy = false;
  var navigated = false;
  var progress = document.getElementById("upload-progress");
  var bar = progress.querySelector(".bar span");
  var status = progress.querySelector("p");
  var retry = document.getElementById("upload-retry");
  var formError = document.getElementById("upload-error");

  function slot(side) {
    return form.querySelector('.slot[data-side="' + side + '"]');
  }

  function setSlotError(side, message) {
    var el = slot(side);
    el.querySelector(".slot-error").textContent = message || "";
    el.classList.toggle("invalid", !!message);
  }

  function setFormError(message) {
    formError.textContent = message || "";
    formError.hidden = !message;
  }

  function showProgress(label, fraction) {
    progress.hidden = false;
    progress.classList.toggle("indeterminate", fraction === null);
    bar.style.width = fraction === null ? "" : Math.round(fraction * 100) + "%";
    status.textContent = label;
  }

  function decode(file) {
    // createImageBitmap honours the EXIF orientation of phone photos; an <img> is the fallback.
    if (window.createImageBitmap) {
      return createImageBitmap(file, { imageOrientation: "from-image" }).catch(function () {
        return createImageBitmap(file);
      });
    }
    return new Promise(function (resolve, reject) {
      var img = new Image();
      img.onload = function () { resolve(img); };
      img.onerror = reject;
      img.src = URL.createObjectURL(file);
    });
  }

  function downscale(file) {
    return decode(file).then(function (image) {
      var w = image.width, h = image.height;
      var scale = Math.min(1, MAX_SIDE / Math.max(w, h));
      if (scale === 1 && file.size <= MAX_BYTES) {
        return { blob: file, name: file.name, width: w, height: h, resized: false };
      }
      var canvas = document.createElement("canvas");
      canvas.width = Math.round(w * scale);
      canvas.height = Math.round(h * scale);
      var ctx = canvas.getContext("2d");
      ctx.imageSmoothingQuality = "high";
      ctx.drawImage(image, 0, 0, canvas.width, canvas.height);
      return new Promise(function (resolve, reject) {
        canvas.toBlob(function (blob) {
          if (!blob) { reject(new Error("toBlob")); return; }
          var name = (file.name || "photo").replace(/\.[^.]*$/, "") + ".jpg";
          resolve({ blob: blob, name: name, width: canvas.width, height: canvas.height, resized: true });
        }, "image/jpeg", JPEG_QUALITY);
      });
    });
  }

  function accept(side, file) {
    if (!file) return;
    setFormError("");
    if (file.type && file.type.indexOf("image/") !== 0) {
      setSlotError(side, text.notImage);
      return;
    }
    setSlotError(side, "");
    var el = slot(side);
    el.querySelector(".meta").textContent = text.preparing;
    downscale(file).then(function (picked) {
      chosen[side] = picked;
      var preview = el.querySelector(".preview");
      var img = preview.querySelector("img") || document.createElement("img");
      if (img.src) URL.revokeObjectURL(img.src);
      img.alt = el.querySelector("h2").textContent;
      img.src = URL.createObjectURL(picked.blob);
      preview.textContent = "";
      preview.appendChild(img);
      el.classList.add("filled");
      el.querySelector(".meta").textContent =
        picked.width + " × " + picked.height + (picked.resized ? " · " + text.resized : "");
      maybeUpload();
    }).catch(function () {
      chosen[side] = null;
      el.classList.remove("filled");
      el.querySelector(".meta").textContent = "";
      setSlotError(side, text.unreadable);
    });
  }

  function required(side) {
    return slot(side).dataset.required === "1";
  }

  function maybeUpload() {
    if (busy || navigated) return;
    // Sides with a stored photo that was read fine are optional on a second attempt.
    if ((required("front") && !chosen.front) || (required("back") && !chosen.back)) return;
    if (!chosen.front && !chosen.back) return;
    upload();
  }

  function goTo(url) {
    if (navigated) return;
    navigated = true;
    window.location.assign(url);
  }

  function handle(payload) {
    if (payload.ready && payload.next_url) {
      showProgress(text.ready, 1);
      goTo(payload.next_url);
      return true;
    }
    if (payload.failed) {
      busy = false;
      progress.hidden = true;
      var sides = payload.sides || {};
      var named = Object.keys(sides).length > 0;
      // A photo the server turned down needs a new one; retrying makes sense only for the other failures.
      retry.hidden = named;
      ["front", "back"].forEach(function (side) {
        if (sides[side]) {
          setSlotError(side, sides[side]);
          chosen[side] = null;
          slot(side).dataset.required = "1";
          slot(side).classList.remove("filled");
        }
      });
      setFormError(named ? text.fixSides : payload.message || text.failed);
      if (payload.next_url) goTo(payload.next_url);
      return true;
    }
    return false;
  }

  function poll(url, started, delay) {
    if (navigated) return;
    if (Date.now() - started > POLL_GIVE_UP_MS) {
      busy = false;
      setFormError(text.slow);
      return;
    }
    setTimeout(function () {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.json(); })
        .then(function (payload) {
          if (!handle(payload)) {
            showProgress(payload.label || text.reading, null);
            poll(url, started, Math.min(delay * 1.5, POLL_MAX_MS));
          }
        })
        .catch(function () { poll(url, started, Math.min(delay * 2, POLL_MAX_MS)); });
    }, delay);
  }

  function upload() {
    busy = true;
    retry.hidden = true;
    setFormError("");
    var data = new FormData();
    data.append("csrfmiddlewaretoken", form.querySelector("[name=csrfmiddlewaretoken]").value);
    ["front", "back"].forEach(function (side) {
      if (chosen[side]) data.append(side, chosen[side].blob, chosen[side].name || side + ".jpg");
    });
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
    xhr.upload.onprogress = function (e) {
      if (e.lengthComputable) showProgress(text.uploading, e.loaded / e.total);
    };
    // Once the bytes are sent, the server may be reading the card in this same request (eager mode).
    xhr.upload.onload = function () { showProgress(text.reading, null); };
    xhr.onload = function () {
      var payload;
      try { payload = JSON.parse(xhr.responseText); } catch (e) { payload = null; }
      if (!payload) {
        busy = false;
        progress.hidden = true;
        retry.hidden = false;
        setFormError(text.failed);
        return;
      }
      if (!handle(payload) && payload.progress_url) {
        showProgress(payload.label || text.reading, null);
        poll(payload.progress_url, Date.now(), POLL_FIRST_MS);
      }
    };
    xhr.onerror = function () {
      busy = false;
      progress.hidden = true;
      retry.hidden = false;
      setFormError(text.network);
    };
    showProgress(text.uploading, 0);
    xhr.send(data);
  }

  form.querySelectorAll(".slot").forEach(function (el) {
    var side = el.dataset.side;
    el.querySelectorAll("input[type=file]").forEach(function (input) {
      input.addEventListener("change", function () {
        accept(side, input.files && input.files[0]);
        input.value = "";  // choosing the same file again must fire change again
      });
    });
    ["dragenter", "dragover"].forEach(function (name) {
      el.addEventListener(name, function (e) {
        e.preventDefault();
        el.classList.add("dragover");
      });
    });
    ["dragleave", "drop"].forEach(function (name) {
      el.addEventListener(name, function (e) {
        e.preventDefault();
        el.classList.remove("dragover");
      });
    });
    el.addEventListener("drop", function (e) {
      var files = e.dataTransfer && e.dataTransfer.files;
      if (files && files.length) accept(side, files[0]);
    });
  });

  // A file dropped outside a slot would otherwise replace the page with the image.
  window.addEventListener("dragover", function (e) { e.preventDefault(); });
  window.addEventListener("drop", function (e) { e.preventDefault(); });

  retry.addEventListener("click", function () { maybeUpload(); });
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    maybeUpload();
  });
  // Opened while the photos are still being read (a reload, or a worker is slow): wait for them.
  if (form.dataset.processing === "1") {
    busy = true;
    showProgress(text.reading, null);
    poll(form.dataset.progressUrl, Date.now(), POLL_FIRST_MS);
  }

  // Without JS the form posts both files as a plain multipart form; with it, the button is not needed.
  var plainSubmit = document.getElementById("upload-submit");
  if (plainSubmit) plainSubmit.hidden = true;
  // The script is deferred: files chosen before this point would go unnoticed, so say when it listens.
  form.dataset.ready = "1";
})();
