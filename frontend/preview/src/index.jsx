// Entry of the preview bundle, loaded by the portal's preview frame page (templates/wizard/preview/frame.html).
//
// The page holds the payload as JSON ({"values": {...}, "context": {...}, "state": ..., "device": ...}).
// The parent page drives the frame through window.chatPreview (same origin) or postMessage:
//   chatPreview.setStep(slug, values, {sync})  replace one step's values (sync: render in this frame)
//   chatPreview.setState(name), setDevice("desktop" | "mobile"), setOverrides({...})
import "./csp.js";
import "./setup.js";
import React from "react";
import { createRoot } from "react-dom/client";
import { flushSync } from "react-dom";
import { BroadcastServiceInitialize } from "./entry/components.js";
import { toProps } from "./mapping.js";
import { Preview } from "./Preview.jsx";

function readPayload() {
  const element = document.getElementById("preview-payload");
  try {
    return JSON.parse(element ? element.textContent : "{}");
  } catch (error) {
    return {};
  }
}

function boot() {
  const payload = readPayload();
  const context = payload.context;
  const STATES = new Set(context.states);
  const model = {
    values: payload.values && typeof payload.values === "object" ? payload.values : {},
    state: STATES.has(payload.state) ? payload.state : "open",
    device: payload.device === "mobile" ? "mobile" : "desktop",
    overrides: {},
  };
  // The components announce clicks on a BroadcastChannel; the preview listens to none of them.
  BroadcastServiceInitialize("chat-channel-studio-preview");
  const rootElement = document.getElementById("preview-root");
  const root = createRoot(rootElement);

  function render(sync) {
    const props = toProps(model.values, context, model.overrides);
    const mobile = model.overrides.mobile === undefined ? model.device === "mobile" : Boolean(model.overrides.mobile);
    document.documentElement.setAttribute("data-device", mobile ? "mobile" : "desktop");
    // data-font-family-override: set through the CSSOM, which the style policy allows.
    if (model.overrides.fontFamily) document.body.style.setProperty("font-family", String(model.overrides.fontFamily));
    else document.body.style.removeProperty("font-family");
    const tree = (
      <Preview props={props} state={model.state} t={context.text} hideLauncher={Boolean(model.overrides.hideChatButton)} />
    );
    if (sync) flushSync(() => root.render(tree));
    else root.render(tree);
  }

  const api = {
    setStep(slug, values, options) {
      if (typeof slug !== "string" || !values || typeof values !== "object") return;
      model.values = Object.assign({}, model.values, { [slug]: values });
      render(Boolean(options && options.sync));
    },
    setValues(values) {
      if (!values || typeof values !== "object") return;
      model.values = values;
      render(true);
    },
    setState(name) {
      if (!STATES.has(name)) return;
      model.state = name;
      render(true);
    },
    setDevice(name) {
      model.device = name === "mobile" ? "mobile" : "desktop";
      render(true);
    },
    setOverrides(overrides) {
      model.overrides = overrides && typeof overrides === "object" ? overrides : {};
      render(true);
    },
  };
  window.chatPreview = api;
  window.addEventListener("message", (event) => {
    if (event.origin !== window.location.origin || !event.data || event.data.type !== "chat-preview") return;
    const { method, args } = event.data;
    if (Object.prototype.hasOwnProperty.call(api, method) && Array.isArray(args)) api[method](...args);
  });
  render(true);
  document.documentElement.setAttribute("data-ready", "true");
  tellParent("chat-preview-ready", {});

  // The header logo: tell the page whether the author's URL answered with an image.
  document.addEventListener("error", (event) => reportLogo(event, true), true);
  document.addEventListener("load", (event) => reportLogo(event, false), true);
}

function reportLogo(event, failed) {
  const img = event.target;
  if (!(img instanceof HTMLImageElement) || !img.closest("article") || img.src.startsWith("data:")) return;
  tellParent("chat-preview-logo", { failed });
}

function tellParent(name, detail) {
  if (window.parent === window) return;
  try {
    window.parent.dispatchEvent(new CustomEvent(name, { detail: Object.assign({ frame: window.frameElement }, detail) }));
  } catch (error) {
    // A parent on another origin cannot be told; the frame still works on its own.
  }
}

boot();
