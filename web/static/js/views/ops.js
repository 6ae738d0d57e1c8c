// The application view for operators: insight charts, anomaly flags (live), the services
// table, and device logs by device. What the server does not provide yet says so.

import { h, replace, userText, when } from "../dom.js";
import * as api from "../api.js";
import * as stream from "../stream.js";
import { errorBox, into, notYet } from "../ui.js";

const notAvailable = (what) => h("p", { class: "not-yet" }, `${what}: not available yet on this server.`);

export function opsScreen(main) {
  const charts = h("div", { class: "charts" });
  const flags = h("ul", { class: "plain flags", "aria-live": "polite", "aria-label": "Anomaly flags" });
  const anomalies = h("div", {});
  const services = h("div", {});
  replace(
    main,
    h("h1", {}, "Operations"),
    section("Anomaly flags", h("div", {}, flags, anomalies)),
    section("Insights", charts),
    section("Services", services),
    section("Device logs", deviceLogs()),
  );
  into(charts, insightCharts);
  into(anomalies, async () => {
    try {
      const items = (await api.get("/insights/anomalies")).items || [];
      items.forEach((a) => flags.append(flag(a)));
      return items.length ? "" : h("p", { class: "muted" }, "No anomaly flagged.");
    } catch (error) {
      if (error.absent) return notYet("Anomaly flags");
      throw error;
    }
  });
  into(services, servicesTable);
  return stream.onEvent((event) => {
    if (event.type === "anomaly.detected" && event.data) {
      flags.prepend(flag(event.data, true));
      replace(anomalies);
    }
  });
}

const section = (title, body) => {
  const id = `ops-${title.toLowerCase().replace(/\W+/g, "-")}`;
  return h("section", { class: "card", "aria-labelledby": id }, h("h2", { id }, title), body);
};

function flag(a, live = false) {
  return h(
    "li",
    { class: `flag ${live ? "live" : ""}`, role: live ? "alert" : undefined },
    h("strong", {}, userText(a.series || "series")),
    ` value ${a.value} (expected ${a.expected}, score ${a.score}) `,
    when(a.at),
  );
}

async function insightCharts() {
  let names;
  try {
    names = (await api.get("/insights")).items;
  } catch (error) {
    if (error.absent) return notYet("Insights");
    throw error;
  }
  return h("div", { class: "chart-grid" }, names.map(chart));
}

function chart(insight) {
  const box = h("figure", { class: "chart" }, h("figcaption", {}, insight.name.replaceAll("_", " ")));
  if (!insight.computed_at) {
    box.append(notYet("This insight"));
    return box;
  }
  // The chart is fetched (not linked) so a missing chart endpoint shows a note, not a broken image.
  fetch(`/api/v1/insights/${encodeURIComponent(insight.name)}/chart.svg`, {
    credentials: "same-origin",
  }).then(
    async (response) => {
      if (!response.ok) return box.append(notYet("The chart"));
      const url = URL.createObjectURL(await response.blob());
      box.append(
        h("img", { src: url, alt: `Chart of ${insight.name.replaceAll("_", " ")}` }),
        h("p", { class: "muted" }, "Computed ", when(insight.computed_at)),
      );
    },
    () => box.append(notYet("The chart")),
  );
  return box;
}

async function servicesTable() {
  let items;
  try {
    items = (await api.get("/admin/services")).items;
  } catch (error) {
    if (error.absent) return notAvailable("The services table");
    throw error;
  }
  const cols = ["function", "triggers", "health", "invocations", "error_rate", "p50_ms", "p99_ms", "scale"];
  return h(
    "div",
    { class: "table-wrap", tabindex: "0", role: "region", "aria-label": "Services" },
    h(
      "table",
      {},
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          cols.map((c) => h("th", { scope: "col" }, c.replace("_", " "))),
        ),
      ),
      h(
        "tbody",
        {},
        items.map((row) =>
          h(
            "tr",
            {},
            cols.map((c) => h("td", {}, format(row[c]))),
          ),
        ),
      ),
    ),
  );
}

const format = (value) =>
  Array.isArray(value)
    ? value.join(", ")
    : value === null || value === undefined
      ? "—"
      : typeof value === "object" // scale: {min, max, pods, image}
        ? Object.entries(value).map(([k, v]) => `${k} ${format(v)}`).join(", ")
        : String(value);

function deviceLogs() {
  const device = h("input", { id: "device-id", name: "device", required: true, maxlength: 128 });
  const out = h("div", { "aria-live": "polite" });
  const form = h(
    "form",
    { class: "row" },
    h("label", { for: "device-id" }, "Device id"),
    device,
    h("button", { type: "submit" }, "Show logs"),
  );
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    into(out, async () => {
      try {
        const { items } = await api.get(`/devices/${encodeURIComponent(device.value.trim())}/logs`);
        if (!items.length) return h("p", { class: "muted" }, "No logs from this device.");
        return h(
          "ol",
          { class: "plain logs" },
          items.map((log) =>
            h(
              "li",
              {},
              h("span", { class: `level ${log.level}` }, log.level),
              " ",
              when(log.ts),
              " ",
              userText(log.message),
            ),
          ),
        );
      } catch (error) {
        if (error.status === 400 || error.status === 404) return errorBox(error);
        throw error;
      }
    });
  });
  return h("div", {}, form, out);
}
