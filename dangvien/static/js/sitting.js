/* The candidate's online sitting: countdown from the server's deadline, autosave of every
   answer, a copy of each answer in localStorage (sent again when the connection returns or
   when a reloaded page does not show it), submit with a list of unanswered items,
   auto-submit at time-out. */
(function () {
  "use strict";

  var paper = document.getElementById("paper");
  if (!paper) return;

  var sittingId = paper.dataset.sitting;
  var saveUrl = paper.dataset.saveUrl; // ends in /0/: the item id goes there
  var doneUrl = paper.dataset.doneUrl;
  var storeKey = "dangvien-sitting-" + sittingId;
  var csrf = paper.querySelector("[name=csrfmiddlewaretoken]").value;
  var submitForm = document.getElementById("submit-form");
  var dialog = document.getElementById("submit-dialog");
  var countdown = document.getElementById("countdown");
  var banner = document.getElementById("connection");
  var answeredCount = document.getElementById("answered-count");

  var items = {};
  Array.prototype.forEach.call(paper.querySelectorAll("[data-item]"), function (el) {
    items[el.dataset.item] = el;
  });

  // ---- every answer given in this browser: {itemId: {r: response, seq: n, sent: bool}} --
  function load() {
    try {
      return JSON.parse(window.localStorage.getItem(storeKey)) || {};
    } catch (e) {
      return {};
    }
  }
  function store() {
    try {
      window.localStorage.setItem(storeKey, JSON.stringify(journal));
    } catch (e) {
      /* private mode or full: the server copy is what counts */
    }
  }
  function unsent() {
    return Object.keys(journal).filter(function (id) {
      return !journal[id].sent;
    });
  }
  var journal = load();
  var seq = 0;
  Object.keys(journal).forEach(function (id) {
    seq = Math.max(seq, journal[id].seq || 0);
  });
  var closed = false;

  // ---- reading and writing an item's inputs --------------------------------------------
  function responseOf(el) {
    var type = el.dataset.type;
    var checked;
    if (type === "single") {
      checked = el.querySelector("input:checked");
      return checked ? checked.value : null;
    }
    if (type === "multiple") {
      return Array.prototype.map.call(el.querySelectorAll("input:checked"), function (i) {
        return i.value;
      });
    }
    if (type === "true_false") {
      checked = el.querySelector("input:checked");
      return checked ? checked.value === "true" : null;
    }
    var text = el.querySelector("textarea, input[type=text]");
    return text ? text.value : null;
  }

  function show(el, response) {
    var type = el.dataset.type;
    if (type === "single" || type === "multiple" || type === "true_false") {
      var wanted = [].concat(response === null || response === undefined ? [] : response).map(String);
      Array.prototype.forEach.call(el.querySelectorAll("input"), function (input) {
        input.checked = wanted.indexOf(input.value) !== -1;
      });
    } else {
      var text = el.querySelector("textarea, input[type=text]");
      if (text) text.value = response || "";
    }
  }

  function isAnswered(response) {
    if (response === null || response === undefined) return false;
    if (typeof response === "string") return response.trim() !== "";
    if (Array.isArray(response)) return response.length > 0;
    return true;
  }

  function refreshCounts() {
    var n = 0;
    Object.keys(items).forEach(function (id) {
      var yes = isAnswered(responseOf(items[id]));
      items[id].classList.toggle("answered", yes);
      if (yes) n += 1;
    });
    if (answeredCount) answeredCount.textContent = String(n);
  }

  function status(id, text, state) {
    var line = items[id] && items[id].querySelector("[data-saved]");
    if (!line) return;
    line.textContent = text;
    line.dataset.state = state;
  }

  function connection(text) {
    if (!banner) return;
    banner.textContent = text || "";
    banner.hidden = !text;
  }

  // ---- saving ----------------------------------------------------------------------------
  function finishClosed(message) {
    if (closed) return;
    closed = true;
    connection(message || "Bài làm đã kết thúc.");
    window.setTimeout(function () {
      window.location.assign(doneUrl);
    }, 1200);
  }

  // One request at a time, in the order the answers were given: gentle on the server when
  // a whole room reconnects, and an item's older answer can never overtake a newer one.
  var queue = Promise.resolve();
  var queued = {};

  function offline() {
    connection(
      "Mất kết nối với máy chủ. Cứ tiếp tục làm bài: câu trả lời được giữ trên máy và tự gửi lại khi có mạng."
    );
  }

  function post(id) {
    delete queued[id];
    var entry = journal[id];
    if (!entry || entry.sent || closed) return Promise.resolve();
    var sentSeq = entry.seq;
    status(id, "Đang lưu…", "saving");
    return fetch(saveUrl.replace(/\/0\/$/, "/" + id + "/"), {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify({ response: entry.r }),
    })
      .then(function (answer) {
        return answer
          .json()
          .catch(function () {
            return {};
          })
          .then(function (body) {
            var current = journal[id] && journal[id].seq === sentSeq;
            if (answer.ok) {
              if (current) {
                journal[id].sent = true;
                store();
                status(id, "Đã lưu lúc " + body.saved_at, "saved");
              }
              if (!unsent().length) connection("");
            } else if (body.closed) {
              finishClosed(body.message);
            } else if (answer.status === 400) {
              // Refused for good (bad shape): the server keeps the previous answer.
              if (current) {
                delete journal[id];
                store();
              }
              status(id, body.message || "Không lưu được câu trả lời này.", "error");
            } else {
              // The server could not take it now: keep it and try again later.
              status(id, "Chưa lưu – máy chủ bận, sẽ tự gửi lại", "offline");
            }
          });
      })
      .catch(function () {
        status(id, "Chưa lưu – mất kết nối, sẽ tự gửi lại khi có mạng", "offline");
        offline();
      });
  }

  function send(id) {
    if (!queued[id]) {
      queued[id] = true;
      queue = queue.then(function () {
        return post(id);
      });
    }
    return queue;
  }

  function remember(id) {
    seq += 1;
    journal[id] = { r: responseOf(items[id]), seq: seq, sent: false };
    store();
    refreshCounts();
    send(id);
  }

  function resendAll() {
    unsent().forEach(send);
    return queue;
  }

  var typing = {};
  paper.addEventListener("change", function (event) {
    var el = event.target.closest("[data-item]");
    if (!el) return;
    window.clearTimeout(typing[el.dataset.item]);
    remember(el.dataset.item);
  });
  paper.addEventListener("input", function (event) {
    var el = event.target.closest("[data-item]");
    if (!el || !event.target.matches("textarea, input[type=text]")) return;
    var id = el.dataset.item;
    window.clearTimeout(typing[id]);
    typing[id] = window.setTimeout(function () {
      remember(id);
    }, 800);
  });
  paper.addEventListener("submit", function (event) {
    event.preventDefault(); // Enter in a text box must not leave the page
  });

  // An answer this browser gave that the page does not show (the connection was lost,
  // the tab closed, or the page reloaded while it was on its way) is newer than what the
  // server rendered: put it back and send it again.
  function same(a, b) {
    var norm = function (r) {
      return isAnswered(r) ? r : null;
    };
    return JSON.stringify(norm(a)) === JSON.stringify(norm(b));
  }
  // What the server had when it rendered the page; the browser may have refilled the
  // inputs with older values of its own on reload, so set them from this first.
  var saved = JSON.parse(document.getElementById("saved-responses").textContent);
  Object.keys(items).forEach(function (id) {
    show(items[id], saved[id] === undefined ? null : saved[id]);
  });
  Object.keys(journal).forEach(function (id) {
    if (!items[id]) {
      delete journal[id];
      return;
    }
    if (!journal[id].sent || !same(journal[id].r, saved[id] === undefined ? null : saved[id])) {
      show(items[id], journal[id].r);
      journal[id].sent = false;
      status(id, "Chưa lưu – đang gửi lại", "offline");
    }
  });
  store();
  refreshCounts();
  resendAll();
  window.addEventListener("online", resendAll);
  window.setInterval(function () {
    if (unsent().length) resendAll();
  }, 10000);

  // ---- countdown: the server's seconds left, counted on a monotonic clock ---------------
  var endsAt = performance.now() + Number(countdown.dataset.secondsLeft) * 1000;
  var autoSubmitted = false;

  function two(n) {
    return (n < 10 ? "0" : "") + n;
  }
  function tick() {
    var left = Math.max(0, Math.round((endsAt - performance.now()) / 1000));
    var hours = Math.floor(left / 3600);
    var minutes = Math.floor((left % 3600) / 60);
    countdown.textContent = (hours ? hours + ":" + two(minutes) : two(minutes)) + ":" + two(left % 60);
    countdown.parentElement.classList.toggle("low", left <= 300);
    if (left === 0 && !autoSubmitted) {
      autoSubmitted = true;
      connection("Hết giờ làm bài – đang nộp bài…");
      submitNow(true);
    }
  }
  tick();
  window.setInterval(tick, 1000);

  // ---- submit ----------------------------------------------------------------------------
  function submitNow(auto) {
    var flushed = Promise.race([
      resendAll(),
      new Promise(function (resolve) {
        window.setTimeout(resolve, 5000);
      }),
    ]);
    return flushed.then(function () {
      if (closed) return;
      if (!auto && unsent().length) {
        var warn = document.getElementById("submit-pending");
        warn.textContent =
          "Còn " + unsent().length + " câu chưa gửi được lên máy chủ do mất kết nối. Hãy chờ có mạng rồi nộp lại.";
        warn.hidden = false;
        return;
      }
      closed = true;
      submitForm.querySelector("[name=auto]").value = auto ? "1" : "0";
      submitForm.submit();
    });
  }

  function openDialog() {
    var missing = [];
    Object.keys(items).forEach(function (id) {
      if (!isAnswered(responseOf(items[id]))) missing.push(items[id].dataset.number);
    });
    missing.sort(function (a, b) {
      return a - b;
    });
    document.getElementById("submit-unanswered").textContent = missing.length
      ? "Bạn còn " + missing.length + " câu chưa trả lời: câu " + missing.join(", ") + "."
      : "Bạn đã trả lời tất cả " + Object.keys(items).length + " câu.";
    document.getElementById("submit-pending").hidden = true;
    if (typeof dialog.showModal === "function") {
      dialog.showModal();
    } else if (window.confirm(document.getElementById("submit-unanswered").textContent + " Nộp bài?")) {
      submitNow(false);
    }
  }

  document.getElementById("submit-open").addEventListener("click", openDialog);
  document.getElementById("submit-bottom").addEventListener("click", openDialog);
  document.getElementById("submit-cancel").addEventListener("click", function () {
    dialog.close();
  });
  document.getElementById("submit-confirm").addEventListener("click", function () {
    submitNow(false);
  });
})();
