// What PreChatSurveyPane uses of "adaptivecards" (AdaptiveCard, HostConfig, GlobalSettings), without
// the package index, which also loads the Carousel element and its slider library (swiper) and the
// Table element: the preview's cards use neither.
export { AdaptiveCard } from "adaptivecards/lib/card-elements.js";
export { HostConfig } from "adaptivecards/lib/host-config.js";
export { GlobalSettings } from "adaptivecards/lib/shared.js";
