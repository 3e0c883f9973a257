/* Community: the discussion, enhanced. Every feature here also works without JavaScript through
   plain forms and links; this script only makes them instant. No inline scripts, no build step. */
(function () {
  "use strict";

  var csrfMeta = document.querySelector('meta[name="csrf-token"]');
  var csrfToken = csrfMeta ? csrfMeta.content : "";
  var liveRegion = document.getElementById("live-status");

  function announce(message) {
    if (!liveRegion) return;
    liveRegion.textContent = "";
    window.setTimeout(function () { liveRegion.textContent = message; }, 60);
  }

  function send(url, options) {
    options = options || {};
    var headers = { "Accept": "application/json", "X-CSRFToken": csrfToken };
    return fetch(url, {
      method: options.method || "GET",
      headers: headers,
      body: options.body,
      credentials: "same-origin",
    }).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      var parsed = type.indexOf("application/json") !== -1 ? response.json() : response.text();
      return parsed.then(function (data) { return { ok: response.ok, status: response.status, data: data }; });
    });
  }

  function messageOf(result, fallback) {
    return (result && result.data && result.data.error) || fallback;
  }

  /* --- Reply: move the form under the comment, as WordPress's comment-reply.js does ---------- */

  var respond = document.getElementById("respond");
  var form = document.getElementById("commentform");
  var parentInput = document.getElementById("comment_parent");
  var titleText = document.getElementById("reply-title-text");
  var cancelLink = document.getElementById("cancel-comment-reply-link");
  var respondHome = null;
  var replyOpener = null;

  if (respond && form) {
    respondHome = document.createElement("div");
    respondHome.id = "respond-home";
    respondHome.hidden = true;
    respond.parentNode.insertBefore(respondHome, respond);
  }

  function bodyField() { return form ? form.querySelector("textarea[name=body]") : null; }

  function moveFormUnder(link) {
    var item = document.getElementById("comment-" + link.getAttribute("data-reply-to"));
    if (!item || !respond) return false;
    var body = item.querySelector(".comment__body");
    body.parentNode.insertBefore(respond, body.nextSibling);
    parentInput.value = link.getAttribute("data-reply-to");
    var name = link.getAttribute("data-reply-name");
    titleText.textContent = "Leave a reply to " + name;
    cancelLink.hidden = false;
    replyOpener = link;
    bodyField().focus();
    announce("Replying to " + name + ". The comment form is now under their comment.");
    return true;
  }

  function putFormBack(focusOpener) {
    if (!respond || !respondHome) return;
    respondHome.parentNode.insertBefore(respond, respondHome.nextSibling);
    parentInput.value = "";
    titleText.textContent = "Leave a Reply";
    cancelLink.hidden = true;
    if (focusOpener && replyOpener && document.body.contains(replyOpener)) replyOpener.focus();
    replyOpener = null;
  }

  document.addEventListener("click", function (event) {
    var reply = event.target.closest("a.comment__reply");
    if (reply && form && moveFormUnder(reply)) {
      event.preventDefault();
      return;
    }
    if (event.target.closest("#cancel-comment-reply-link") && form) {
      event.preventDefault();
      cancelReply();
    }
    // "Leave a comment" is a new comment, not a reply: the form goes home before the jump to it.
    if (event.target.closest("#leave-comment-link") && replyOpener) putFormBack(false);
  });

  function cancelReply() {
    putFormBack(true);
    announce("Reply cancelled. The comment form is back under the discussion.");
  }

  // Escape inside a moved reply form cancels the reply, as Cancel reply does.
  if (respond) {
    respond.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && replyOpener) {
        event.preventDefault();
        cancelReply();
      }
    });
  }

  /* --- Like: instant, rolled back if the server refuses ---------------------------------------- */

  function setLikeState(likeForm, liked, count, label) {
    var button = likeForm.querySelector(".like-button");
    var hidden = button.querySelector(".visually-hidden");
    button.setAttribute("aria-pressed", liked ? "true" : "false");
    button.firstChild.nodeValue = liked ? "Liked" : "Like";
    if (hidden) button.appendChild(hidden);
    likeForm.querySelector("input[name=liked]").value = liked ? "0" : "1";
    var countNode = likeForm.parentNode.querySelector(".like-count");
    countNode.setAttribute("data-count", String(count));
    countNode.textContent = label;
  }

  function likeLabel(count, liked) {
    if (count <= 0) return "";
    if (liked) return count === 1 ? "You like this" : "You and " + (count - 1) + " other" + (count === 2 ? "" : "s") + " like this";
    return count === 1 ? "Liked by 1 person" : "Liked by " + count + " people";
  }

  /* Each press shows its result at once. The button is never disabled (a disabled button drops the
     keyboard focus): a press while the last one is on its way is remembered, and when the answer
     comes the server is asked again if the reader changed their mind meanwhile. */
  function toggleLike(likeForm) {
    var button = likeForm.querySelector(".like-button");
    var countNode = likeForm.parentNode.querySelector(".like-count");
    var shownLiked = button.getAttribute("aria-pressed") === "true";
    var shownCount = parseInt(countNode.getAttribute("data-count") || "0", 10);
    var state = likeForm.likeState;
    if (!state) {  // what the server last said
      state = likeForm.likeState = { liked: shownLiked, count: shownCount, label: countNode.textContent, sending: false };
    }
    state.wanted = !shownLiked;
    setLikeState(likeForm, state.wanted, shownCount + (state.wanted ? 1 : -1), likeLabel(shownCount + (state.wanted ? 1 : -1), state.wanted));
    if (!state.sending) sendLike(likeForm);
  }

  function sendLike(likeForm) {
    var state = likeForm.likeState;
    var body = new FormData(likeForm);
    body.set("liked", state.wanted ? "1" : "0");
    state.sending = true;
    likeForm.setAttribute("aria-busy", "true");  // until the server holds what the button shows
    var settled = function () {
      state.sending = false;
      likeForm.removeAttribute("aria-busy");
    };
    var refused = function (message) {
      settled();
      state.wanted = state.liked;
      setLikeState(likeForm, state.liked, state.count, state.label);
      announce(message);
      showLikeError(likeForm, message);
    };
    send(likeForm.action, { method: "POST", body: body }).then(function (result) {
      if (result.ok) {
        state.liked = result.data.liked;
        state.count = result.data.count;
        state.label = result.data.label;
        if (state.wanted !== state.liked) {  // pressed again while this one was on its way
          sendLike(likeForm);
          return;
        }
        settled();
        setLikeState(likeForm, state.liked, state.count, state.label);
        return;
      }
      if (result.status === 401 && result.data.login) {
        window.location.href = result.data.login;
        return;
      }
      refused(messageOf(result, "Your like could not be saved. Please try again."));
    }, function () {
      refused("You seem to be offline; your like was not saved.");
    });
  }

  function showLikeError(likeForm, message) {
    var box = likeForm.parentNode.querySelector(".like-error");
    if (!box) {
      box = document.createElement("span");
      box.className = "like-error";
      box.setAttribute("role", "alert");
      likeForm.parentNode.appendChild(box);
    }
    box.textContent = message;
  }

  /* --- Post Comment: insert it in place, errors at their fields --------------------------------- */

  function clearErrors() {
    form.querySelectorAll(".field__error[data-from-script]").forEach(function (node) { node.remove(); });
    form.querySelectorAll("[aria-invalid=true]").forEach(clearFieldError);
    var general = document.getElementById("comment-form-error");
    general.hidden = true;
    general.textContent = "";
  }

  function clearFieldError(input) {
    var error = document.getElementById(input.id + "-error");
    if (error) error.remove();
    input.removeAttribute("aria-invalid");
    var describedBy = (input.getAttribute("aria-describedby") || "").split(" ").filter(function (id) {
      return id && id !== input.id + "-error";
    });
    if (describedBy.length) input.setAttribute("aria-describedby", describedBy.join(" "));
    else input.removeAttribute("aria-describedby");
    input.closest(".field").classList.remove("field--error");
  }

  function showFieldErrors(errors) {
    var first = null;
    Object.keys(errors || {}).forEach(function (name) {
      var input = form.querySelector("[name=" + name + "]");
      if (!input || input.type === "hidden") {
        showGeneralError(errors[name].join(" "));
        return;
      }
      var field = input.closest(".field");
      var existing = document.getElementById(input.id + "-error");
      if (existing) existing.remove();
      var message = document.createElement("p");
      message.className = "field__error";
      message.id = input.id + "-error";
      message.setAttribute("data-from-script", "");
      message.setAttribute("role", "alert");
      message.textContent = errors[name].join(" ");
      field.appendChild(message);
      field.classList.add("field--error");
      input.setAttribute("aria-invalid", "true");
      var describedBy = (input.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
      describedBy.push(message.id);
      input.setAttribute("aria-describedby", describedBy.join(" "));
      first = true;
    });
    // The first field in the form's own order, whatever order the errors came in.
    if (first) form.querySelector("[aria-invalid=true]").focus();
  }

  function errorSentences(errors) {
    return Object.keys(errors).map(function (name) { return errors[name].join(" "); }).join(" ");
  }

  function showGeneralError(message) {
    var general = document.getElementById("comment-form-error");
    general.textContent = message;
    general.hidden = false;
  }

  function insertComment(data) {
    var holder = document.createElement("div");
    holder.innerHTML = data.html.trim();
    var item = holder.firstElementChild;
    if (data.parent_id) {
      var parent = document.getElementById("comment-" + data.parent_id);
      var children = parent.querySelector(":scope > ol.children");
      if (!children) {
        children = document.createElement("ol");
        children.className = "children";
        parent.appendChild(children);
      }
      children.appendChild(item);
    } else {
      var threads = document.getElementById("comment-threads");
      var list = threads.querySelector("ol.comment-list");
      if (!list) {
        var empty = threads.querySelector(".empty-state");
        if (empty) empty.remove();
        list = document.createElement("ol");
        list.className = "comment-list";
        threads.insertBefore(list, threads.firstChild);
      }
      // Newest first, a new thread is the first one.
      if (threads.getAttribute("data-order") === "newest") list.insertBefore(item, list.firstChild);
      else list.appendChild(item);
    }
    return item;
  }

  function updateHeading(data) {
    var heading = document.getElementById("comments-title");
    if (heading && data.heading) heading.textContent = data.heading;
    var threads = document.getElementById("comment-threads");
    if (threads && typeof data.comment_count === "number") threads.setAttribute("data-comment-count", String(data.comment_count));
  }

  // A sentence for the writer that stays in sight, e.g. "Check your inbox to confirm …".
  function showNotice(text) {
    var box = document.getElementById("comment-form-notice");
    if (!box) {
      box = document.createElement("p");
      box.id = "comment-form-notice";
      box.className = "flash flash--info";
      form.parentNode.insertBefore(box, form);
    }
    box.textContent = text;
  }

  function postComment(submitter) {
    clearErrors();
    var body = new FormData(form);
    var button = form.querySelector("button[type=submit]:not([name])");
    button.disabled = true;
    send(form.action, { method: "POST", body: body }).then(function (result) {
      button.disabled = false;
      if (result.status === 201) {
        putFormBack(false);
        bodyField().value = "";
        var formToken = form.querySelector("input[name=form_token]");
        if (formToken && result.data.form_token) formToken.value = result.data.form_token;
        hidePreview();
        var item = insertComment(result.data);
        updateHeading(result.data);
        var article = item.querySelector(".comment__body");
        article.setAttribute("tabindex", "-1");
        article.focus();
        announce(result.data.message);
        if (result.data.notice) showNotice(result.data.notice);
        return;
      }
      // A refusal at its field, whatever the status: 422 (to correct), 429 (too soon after the last
      // one), 403 (a suspension, with its reason). Otherwise the server's sentence, or a general one.
      // Either way the text stays in the box.
      var errors = result.data && result.data.errors;
      if (errors && Object.keys(errors).length) {
        hidePreview();  // the fields with their errors in sight
        showFieldErrors(errors);
        announce("Your comment was not posted. " + errorSentences(errors));
        return;
      }
      showGeneralError(messageOf(result, "Your comment could not be posted. Please try again."));
      hidePreview();
      bodyField().focus();
    }, function () {
      button.disabled = false;
      showGeneralError("You seem to be offline; your comment was not posted. Your text is still here.");
    });
  }

  /* --- Write / Preview: a tab pair over the comment box (without JavaScript, a Preview button) - */

  var tabs = null;

  function makeTab(id, label, panelId, selected) {
    var tab = document.createElement("button");
    tab.type = "button";
    tab.id = id;
    tab.className = "editor-tabs__tab";
    tab.setAttribute("role", "tab");
    tab.setAttribute("aria-controls", panelId);
    tab.setAttribute("aria-selected", selected ? "true" : "false");
    tab.tabIndex = selected ? 0 : -1;
    tab.textContent = label;
    return tab;
  }

  function buildTabs() {
    var previewButton = form.querySelector("button[name=preview]");
    var writePanel = bodyField() && bodyField().closest(".field");
    if (!previewButton || !writePanel) return;
    var previewPanel = document.getElementById("comment-preview");
    if (!previewPanel) {
      previewPanel = document.createElement("section");
      previewPanel.id = "comment-preview";
      previewPanel.className = "preview";
      previewPanel.innerHTML = '<div class="prose"></div>';
      previewPanel.hidden = true;
      writePanel.parentNode.insertBefore(previewPanel, writePanel.nextSibling);
    }
    var list = document.createElement("div");
    list.className = "editor-tabs";
    list.setAttribute("role", "tablist");
    list.setAttribute("aria-label", "Your comment");
    writePanel.id = writePanel.id || "comment-write";
    var write = makeTab("comment-tab-write", "Write", writePanel.id, true);
    var preview = makeTab("comment-tab-preview", "Preview", previewPanel.id, false);
    list.appendChild(write);
    list.appendChild(preview);
    writePanel.parentNode.insertBefore(list, writePanel);
    [[writePanel, write], [previewPanel, preview]].forEach(function (pair) {
      pair[0].setAttribute("role", "tabpanel");
      pair[0].setAttribute("aria-labelledby", pair[1].id);
      pair[0].removeAttribute("aria-live");
    });
    previewButton.hidden = true;  // the tab does its work now
    tabs = { write: write, preview: preview, writePanel: writePanel, previewPanel: previewPanel };
    selectTab(previewPanel.hidden ? "write" : "preview", false);

    list.addEventListener("click", function (event) {
      var tab = event.target.closest("[role=tab]");
      if (tab) selectTab(tab === preview ? "preview" : "write", true);
    });
    list.addEventListener("keydown", function (event) {
      // Arrow keys move between the two tabs (and choose), Home and End go to the first and last.
      var next = { ArrowLeft: "other", ArrowRight: "other", Home: "write", End: "preview" }[event.key];
      if (!next) return;
      event.preventDefault();
      if (next === "other") next = document.activeElement === preview ? "write" : "preview";
      selectTab(next, true);
    });
  }

  function selectTab(name, focusTab) {
    if (!tabs) return;
    var previewing = name === "preview";
    tabs.write.setAttribute("aria-selected", previewing ? "false" : "true");
    tabs.preview.setAttribute("aria-selected", previewing ? "true" : "false");
    tabs.write.tabIndex = previewing ? -1 : 0;
    tabs.preview.tabIndex = previewing ? 0 : -1;
    tabs.writePanel.hidden = previewing;
    tabs.previewPanel.hidden = !previewing;
    if (focusTab) (previewing ? tabs.preview : tabs.write).focus();
    if (previewing) showPreview();
  }

  function hidePreview() { selectTab("write", false); }

  function showPreview() {
    var body = new FormData();
    body.append("body", bodyField().value);
    body.append("csrf_token", csrfToken);
    var target = tabs.previewPanel.querySelector(".prose");
    target.textContent = "Making the preview…";
    send(form.getAttribute("data-preview-url"), { method: "POST", body: body }).then(function (result) {
      if (result.ok) {
        target.innerHTML = result.data.html || "<p><em>Nothing to preview yet.</em></p>";
        announce("Preview shown. Choose Write to go on writing.");
      } else {
        target.textContent = messageOf(result, "The preview could not be made.");
      }
    }, function () {
      target.textContent = "You seem to be offline; the preview could not be made.";
    });
  }

  if (form) buildTabs();

  /* --- A guest's saved name, email and website (comments.guest_browser.remember_details) -------- */

  var saveDetails = form && form.querySelector("input[name=save_details]");
  if (saveDetails) {
    document.getElementById("save-details").hidden = false;  // offered only where it can be used
    var saved = null;
    document.cookie.split("; ").forEach(function (pair) {
      if (pair.indexOf("comment_author=") !== 0) return;
      try { saved = JSON.parse(decodeURIComponent(pair.slice(15))); } catch (ignored) { saved = null; }
    });
    if (saved) {
      ["name", "email", "website"].forEach(function (name) {
        var input = form.querySelector("input[name=" + name + "]");
        if (input && !input.value && typeof saved[name] === "string") input.value = saved[name];
      });
      saveDetails.checked = true;
    }
  }

  // A field's error goes as soon as the reader changes what it was about.
  if (form) {
    form.addEventListener("input", function (event) {
      if (event.target.getAttribute("aria-invalid") === "true") clearFieldError(event.target);
    });
  }

  document.addEventListener("submit", function (event) {
    var likeForm = event.target.closest(".like-form");
    if (likeForm) {
      event.preventDefault();
      toggleLike(likeForm);
      return;
    }
    if (form && event.target === form) {
      event.preventDefault();
      var submitter = event.submitter;
      if (submitter && submitter.name === "preview") selectTab("preview", true);
      else postComment(submitter);
    }
  });

  /* --- "N new comments": offered when the discussion grew --------------------------------------- */

  var threadsBox = document.getElementById("comment-threads");
  var newCommentsButton = null;
  var POLL_MS = 30000;

  function checkForNew() {
    if (!threadsBox || document.hidden) return;
    send(threadsBox.getAttribute("data-count-url")).then(function (result) {
      if (!result.ok) return;
      var known = parseInt(threadsBox.getAttribute("data-comment-count") || "0", 10);
      var grown = result.data.comment_count - known;
      if (grown > 0) offerNew(grown);
    });
  }

  function offerNew(count) {
    if (!newCommentsButton) {
      newCommentsButton = document.createElement("button");
      newCommentsButton.type = "button";
      newCommentsButton.className = "button new-comments";
      newCommentsButton.addEventListener("click", loadNew);
      threadsBox.parentNode.insertBefore(newCommentsButton, threadsBox);
    }
    newCommentsButton.hidden = false;
    newCommentsButton.textContent = count === 1 ? "1 new comment" : count + " new comments";
    announce(newCommentsButton.textContent + " since you opened the page.");
  }

  function showLoadError(message) {
    var box = document.getElementById("new-comments-error");
    if (!box) {
      box = document.createElement("p");
      box.id = "new-comments-error";
      box.className = "form-error";
      box.setAttribute("role", "alert");
      newCommentsButton.parentNode.insertBefore(box, newCommentsButton.nextSibling);
    }
    box.textContent = message;
    box.hidden = false;
  }

  function loadNew() {
    var failed = function () {
      // The button stays, so pressing it again tries again.
      showLoadError("The new comments could not be loaded. Please try again, or reload the page.");
    };
    send(threadsBox.getAttribute("data-threads-url")).then(function (result) {
      if (!result.ok) {
        failed();
        return;
      }
      putFormBack(false);
      threadsBox.innerHTML = result.data;
      newCommentsButton.hidden = true;
      var error = document.getElementById("new-comments-error");
      if (error) error.hidden = true;
      var heading = document.getElementById("comments-title");
      var shown = function () {
        heading.setAttribute("tabindex", "-1");
        heading.focus();
        announce("New comments loaded.");
      };
      // The threads are in; a failed count only leaves the heading's number as it was.
      return send(threadsBox.getAttribute("data-count-url")).then(function (count) {
        if (count.ok) updateHeading(count.data);
        shown();
      }, shown);
    }, failed);
  }

  if (threadsBox) {
    window.setInterval(checkForNew, POLL_MS);
    document.addEventListener("visibilitychange", checkForNew);
    document.addEventListener("community:check-new-comments", checkForNew);
  }
})();
