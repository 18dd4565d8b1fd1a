// Views for services that are not built yet, and for routes the user cannot open.
import { t } from "../i18n.js";
import { h, icon } from "../dom.js";

const SERVICE_ICONS = {
  fieldReports: "report",
  publicServices: "dossier",
  socioEconomic: "chart",
  cameras: "camera",
  security: "shield",
  alerts: "bell",
  dti: "trend",
  reports: "clipboard",
};

function notice(root, { iconName, title, badge, text }) {
  const render = () => {
    root.replaceChildren(
      h("div", { class: "notice" },
        icon(iconName, "icon notice-icon"),
        h("h1", { class: "notice-title" }, t(title)),
        badge ? h("span", { class: "badge badge-soon" }, t(badge)) : null,
        h("p", { class: "notice-text" }, t(text)),
        h("a", { class: "btn btn-secondary", href: "#/map" }, t("placeholder.backToMap")),
      ),
    );
  };
  render();
  return { languageChanged: render };
}

/** A "coming soon" page for the service whose dictionary key is `key` (nav.{key}, service.{key}). */
export function placeholderView(key) {
  return {
    mount: (root) => notice(root, {
      iconName: SERVICE_ICONS[key] || "clock",
      title: `nav.${key}`,
      badge: "placeholder.comingSoon",
      text: `service.${key}`,
    }),
  };
}

export const notFoundView = {
  mount: (root) => notice(root, { iconName: "search", title: "error.notFoundTitle", text: "error.notFound" }),
};

/** A page whose code could not be loaded (a network failure, or a module the server lists but this UI lacks). */
export const loadFailedView = {
  mount: (root) => notice(root, { iconName: "clock", title: "error.pageLoadFailedTitle", text: "error.pageLoadFailed" }),
};

export const forbiddenView = {
  mount: (root) => notice(root, { iconName: "lock", title: "error.forbiddenTitle", text: "error.forbidden" }),
};
