/* Passkeys (WebAuthn) as the second factor: added on "Bảo mật tài khoản", used on
 * "Xác thực hai lớp". Talks to django-otp-webauthn's JSON endpoints (accounts/urls.py).
 *
 * No inline script (Content-Security-Policy): a page marks a box with
 * data-passkey="register" or data-passkey="authenticate" and gives the endpoints, the
 * CSRF token and (to authenticate) the next page as data attributes. The box stays
 * hidden where the browser cannot use passkeys (no WebAuthn, or not HTTPS/localhost);
 * elements marked data-passkey-unavailable show instead.
 */
(function () {
  "use strict";

  function toBuffer(base64url) {
    var base64 = base64url.replace(/-/g, "+").replace(/_/g, "/");
    var padded = base64 + "===".slice((base64.length + 3) % 4);
    var binary = atob(padded);
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes.buffer;
  }

  function toBase64url(buffer) {
    if (!buffer) return undefined;
    var bytes = new Uint8Array(buffer);
    var binary = "";
    for (var i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]);
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function descriptors(list) {
    return (list || []).map(function (item) {
      return { type: item.type, id: toBuffer(item.id), transports: item.transports };
    });
  }

  function creationOptions(json) {
    var options = Object.assign({}, json);
    options.challenge = toBuffer(json.challenge);
    options.user = Object.assign({}, json.user, { id: toBuffer(json.user.id) });
    options.excludeCredentials = descriptors(json.excludeCredentials);
    return options;
  }

  function requestOptions(json) {
    var options = Object.assign({}, json);
    options.challenge = toBuffer(json.challenge);
    options.allowCredentials = descriptors(json.allowCredentials);
    return options;
  }

  function registrationJSON(credential) {
    var response = credential.response;
    return {
      id: credential.id,
      rawId: toBase64url(credential.rawId),
      type: credential.type,
      response: {
        clientDataJSON: toBase64url(response.clientDataJSON),
        attestationObject: toBase64url(response.attestationObject),
        transports: response.getTransports ? response.getTransports() : [],
      },
      clientExtensionResults: credential.getClientExtensionResults(),
      authenticatorAttachment: credential.authenticatorAttachment || undefined,
    };
  }

  function assertionJSON(credential) {
    var response = credential.response;
    return {
      id: credential.id,
      rawId: toBase64url(credential.rawId),
      type: credential.type,
      response: {
        clientDataJSON: toBase64url(response.clientDataJSON),
        authenticatorData: toBase64url(response.authenticatorData),
        signature: toBase64url(response.signature),
        userHandle: toBase64url(response.userHandle),
      },
      clientExtensionResults: credential.getClientExtensionResults(),
      authenticatorAttachment: credential.authenticatorAttachment || undefined,
    };
  }

  var SERVER_MESSAGES = {
    user_not_verified: "Cần xác thực hai lớp bằng mã trước khi thêm khóa truy cập.",
    not_authenticated: "Phiên đăng nhập đã hết: hãy đăng nhập lại.",
    credential_not_found: "Khóa truy cập này chưa được đăng ký cho hệ thống.",
    credential_user_mismatch: "Khóa truy cập này thuộc về tài khoản khác.",
    credential_disabled: "Khóa truy cập này đã bị vô hiệu hóa.",
    invalid_state: "Phiên thao tác đã hết: hãy bấm lại.",
  };

  function browserMessage(error, registering) {
    if (error && error.name === "NotAllowedError") return "Đã hủy hoặc hết thời gian chờ khóa truy cập.";
    if (error && error.name === "InvalidStateError") {
      return registering
        ? "Khóa truy cập này đã được thêm cho tài khoản từ trước."
        : "Khóa truy cập không dùng được.";
    }
    if (error && error.name === "SecurityError") {
      return "Trình duyệt từ chối: khóa truy cập chỉ dùng được trên địa chỉ chính thức của hệ thống (HTTPS).";
    }
    return "Không dùng được khóa truy cập trên trình duyệt này.";
  }

  function post(url, csrf, body) {
    var headers = { "X-CSRFToken": csrf, Accept: "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    }).then(function (response) {
      return response
        .json()
        .catch(function () {
          return {};
        })
        .then(function (data) {
          if (!response.ok) {
            var failure = new Error(SERVER_MESSAGES[data.code] || "Máy chủ không chấp nhận khóa truy cập này.");
            failure.fromServer = true;
            throw failure;
          }
          return data;
        });
    });
  }

  function setUp(box) {
    var mode = box.getAttribute("data-passkey");
    var button = box.querySelector("[data-passkey-button]");
    var status = box.querySelector("[data-passkey-status]");
    var registering = mode === "register";
    var label = button.textContent;

    function say(text, busy) {
      status.textContent = text;
      button.disabled = !!busy;
      button.textContent = busy ? "Đang chờ khóa truy cập…" : label;
    }

    button.addEventListener("click", function () {
      say("Làm theo hướng dẫn của trình duyệt (vân tay, khuôn mặt hoặc khóa USB).", true);
      var csrf = box.dataset.csrf;
      post(box.dataset.beginUrl, csrf)
        .then(function (options) {
          return registering
            ? navigator.credentials.create({ publicKey: creationOptions(options) })
            : navigator.credentials.get({ publicKey: requestOptions(options) });
        })
        .then(function (credential) {
          var url = box.dataset.completeUrl;
          if (box.dataset.next) url += "?next=" + encodeURIComponent(box.dataset.next);
          var body = registering ? registrationJSON(credential) : assertionJSON(credential);
          return post(url, csrf, body);
        })
        .then(function (answer) {
          if (registering) {
            say("Đã thêm khóa truy cập.", false);
            window.location.reload();
          } else {
            say("Đã xác thực.", true);
            window.location.assign(answer.redirect_url || "/");
          }
        })
        .catch(function (error) {
          say(error && error.fromServer ? error.message : browserMessage(error, registering), false);
        });
    });
  }

  function start() {
    var supported = !!(window.PublicKeyCredential && window.isSecureContext && navigator.credentials);
    document.querySelectorAll("[data-passkey]").forEach(function (box) {
      if (!supported) return;
      box.hidden = false;
      setUp(box);
    });
    document.querySelectorAll("[data-passkey-unavailable]").forEach(function (note) {
      note.hidden = supported;
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
