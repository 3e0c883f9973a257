// Every page: times in the reader's own time zone, and the account menu closing as menus do.
// Without this script the page still works: times say UTC, and the menu closes when its summary is pressed again.
(() => {
  "use strict";

  // The server writes every <time data-local> in UTC (the same bytes for every reader: pages are
  // shared); here its words become the reader's own zone's, and the UTC ones its title.
  const formats = {
    minute: { day: "numeric", month: "long", year: "numeric", hour: "2-digit", minute: "2-digit", timeZoneName: "short" },
    date: { day: "numeric", month: "long", year: "numeric" },
  };
  const localise = (root) => {
    for (const time of root.querySelectorAll("time[data-local]:not([title])")) {
      const moment = new Date(time.dateTime);
      const format = formats[time.dataset.local];
      if (!format || isNaN(moment)) continue;
      time.title = time.textContent;
      time.textContent = new Intl.DateTimeFormat("en-GB", format).format(moment);
    }
  };
  localise(document);
  // Comments a script adds later (a new comment, a refreshed discussion) carry UTC times too.
  new MutationObserver((changes) => {
    for (const change of changes) {
      for (const node of change.addedNodes) if (node.nodeType === 1) localise(node.parentNode || node);
    }
  }).observe(document.body, { childList: true, subtree: true });

  // The account menu (a <details>): Escape closes it and gives the focus back to its summary; a
  // click or focus elsewhere closes it.
  const menus = document.querySelectorAll("details.account-menu");
  const closeOthers = (target) => {
    for (const menu of menus) if (menu.open && !menu.contains(target)) menu.open = false;
  };
  document.addEventListener("click", (event) => closeOthers(event.target));
  document.addEventListener("focusin", (event) => closeOthers(event.target));
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    for (const menu of menus) {
      if (!menu.open) continue;
      menu.open = false;
      menu.querySelector("summary").focus();
    }
  });
})();
