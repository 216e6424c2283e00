// Runs before any other module of the bundle (it is the entry's first import): every <style> element
// the page creates carries the page's CSP nonce, so the policy needs no 'unsafe-inline' for styles.
//
// - Fluent UI's merge-styles reads window.FabricConfig.mergeStyles.cspSettings.nonce when it creates
//   its Stylesheet (Fluent UI docs: "Content Security Policy", merge-styles Stylesheet config).
// - Fluent UI registers its Segoe UI font faces from a CDN unless FabricConfig.fontBaseUrl is set; an
//   empty base registers none (theme/lib/fonts/DefaultFontStyles.js), so no font request leaves the portal.
// - Some components render a <style> element themselves (PreChatSurveyPane, Adaptive Cards):
//   document.createElement is wrapped so those get the nonce before they reach the document.
const script = document.currentScript;
const nonce = (script && script.nonce) || "";
// The folder the bundle was served from (its name may carry a content hash in production; the fonts'
// names do not need one, the static files server serves them under their own names too).
const STATIC_BASE = script && script.src ? new URL(".", script.src).href : "/static/preview/";
// iconBaseUrl: the Header's initializeIcons() loads the MDL2 icon fonts from here (copied into
// static/preview/fonts/ by the build) instead of the Fluent CDN (font-icons-mdl2 initializeIcons).
window.FabricConfig = Object.assign({}, window.FabricConfig, {
  fontBaseUrl: "",
  iconBaseUrl: `${STATIC_BASE}fonts/`,
  mergeStyles: { cspSettings: { nonce } },
});

if (nonce) {
  const createElement = Document.prototype.createElement;
  Document.prototype.createElement = function (tagName, options) {
    const element = createElement.call(this, tagName, options);
    if (typeof tagName === "string" && tagName.toLowerCase() === "style") element.setAttribute("nonce", nonce);
    return element;
  };
}
