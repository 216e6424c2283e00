// The chat components the preview renders, each from its own module: the package index also loads the
// calling container, citation pane and others the preview never shows.
export { default as ChatButton } from "@microsoft/omnichannel-chat-components/lib/esm/components/chatbutton/ChatButton.js";
export { default as Header } from "@microsoft/omnichannel-chat-components/lib/esm/components/header/Header.js";
export { default as Footer } from "@microsoft/omnichannel-chat-components/lib/esm/components/footer/Footer.js";
export { default as OutOfOfficeHoursPane } from "@microsoft/omnichannel-chat-components/lib/esm/components/outofofficehourspane/OOOHPane.js";
export { default as PreChatSurveyPane } from "@microsoft/omnichannel-chat-components/lib/esm/components/prechatsurveypane/PreChatSurveyPane.js";
export { default as ProactiveChatPane } from "@microsoft/omnichannel-chat-components/lib/esm/components/proactivechatpane/ProactiveChatPane.js";
export { default as ReconnectChatPane } from "@microsoft/omnichannel-chat-components/lib/esm/components/reconnectchatpane/ReconnectChatPane.js";
export { BroadcastServiceInitialize } from "@microsoft/omnichannel-chat-components/lib/esm/services/BroadcastService.js";
