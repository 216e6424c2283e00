// The one mapping from the admin center's chat widget settings to the chat components' props.
//
// Input: the draft's values as the portal's reader gives them, {"<step>": {"<field>": value, ...}}
// (see wizard/preview.py, preview_payload), and the context the portal emits with them: the theme
// colour table, the Dataverse option values the mapping branches on, sample agent names and the
// translated sample texts. No hex value or option value is written here; they come from the context.
//
// The hosted live chat script does this mapping for a real widget (the components read no settings);
// each line below names the admin-center setting and the Dataverse column it comes from
// (msdyn_livechatconfig unless said otherwise), and the component prop it feeds.

const TRUE_STRINGS = new Set(["on", "true", "1", "yes"]);

export function flag(value) {
  if (typeof value === "string") return TRUE_STRINGS.has(value.trim().toLowerCase());
  return Boolean(value);
}

export function text(value) {
  if (value === null || value === undefined) return "";
  return String(value).trim();
}

function step(values, slug) {
  const found = values && typeof values === "object" ? values[slug] : null;
  return found && typeof found === "object" && !Array.isArray(found) ? found : {};
}

// Only an https URL with a host is loaded as the logo; anything else shows the default chat icon.
export function safeLogoUrl(value) {
  const raw = text(value);
  if (!raw || /[\s\u0000-\u001f]/.test(raw)) return "";
  try {
    const url = new URL(raw);
    return url.protocol === "https:" && url.hostname ? url.href : "";
  } catch (error) {
    return "";
  }
}

const HTML_ESCAPES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

// For the one prop a component renders as HTML: OutOfOfficeHoursPane puts titleText through
// dangerouslySetInnerHTML (after turning http(s) URLs into links), so author text is escaped first.
export function escapeHtml(value) {
  return String(value).replace(/[&<>"']/g, (ch) => HTML_ESCAPES[ch]);
}

export function format(template, values) {
  return String(template).replace(/%\((\w+)\)s/g, (match, name) => (name in values ? String(values[name]) : match));
}

// The options of an option-set question as publishing writes them (wizard.options.answer_options):
// semicolon separated, trimmed, blanks and repeats (ignoring case) dropped, in the author's order.
export function answerOptions(value) {
  const seen = new Set();
  const options = [];
  for (const part of text(value).split(";")) {
    const option = part.trim();
    const key = option.toLocaleLowerCase();
    if (option && !seen.has(key)) {
      seen.add(key);
      options.push(option);
    }
  }
  return options;
}

// The pre-conversation survey as the Adaptive Card the live chat service sends the widget
// (msdyn_prechatquestionnairesurvey: TextBlock + Input.* per question, one Action.Submit), built from
// the survey question rows (msdyn_question: msdyn_questiontext, msdyn_answertype, msdyn_options,
// msdyn_ismandatory on msdyn_surveyquestionsequence). Required questions carry "*" after the text.
export function prechatCard(rows, context) {
  const kinds = context.options.answer_kinds;
  const t = context.text;
  const body = [];
  (Array.isArray(rows) ? rows : []).slice(0, 50).forEach((row, index) => {
    if (!row || typeof row !== "object") return;
    const id = text(row.name) || `question${index + 1}`;
    const required = flag(row.required);
    const label = (text(row.text) || text(row.name)) + (required ? " *" : "");
    const kind = kinds[text(row.answer_type)] || "text";
    body.push({ type: "TextBlock", text: label, wrap: true, weight: "bolder" });
    if (kind === "textarea") {
      body.push({ type: "Input.Text", id, isMultiline: true, maxLength: 500, isRequired: required });
    } else if (kind === "select") {
      const options = answerOptions(row.options);
      body.push({
        type: "Input.ChoiceSet",
        id,
        style: "compact",
        isRequired: required,
        placeholder: t.choose_option,
        choices: options.map((option) => ({ title: option, value: option })),
      });
    } else if (kind === "rating") {
      body.push({
        type: "Input.ChoiceSet",
        id,
        style: "expanded",
        isRequired: required,
        choices: ["1", "2", "3", "4", "5"].map((value) => ({ title: value, value })),
      });
    } else if (kind === "consent") {
      body.push({ type: "Input.Toggle", id, title: t.i_agree, valueOn: "true", valueOff: "false", isRequired: required });
    } else {
      body.push({ type: "Input.Text", id, maxLength: 100, isRequired: required });
    }
  });
  if (!body.length) body.push({ type: "TextBlock", text: t.no_questions, wrap: true, isSubtle: true });
  return {
    $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
    type: "AdaptiveCard",
    version: "1.3",
    body,
    actions: [{ type: "Action.Submit", title: t.start_chat }],
  };
}

const HEX_COLOUR = /^#[0-9a-fA-F]{6}$/;

// Everything the preview shows, as component props plus the few facts the page layout needs.
// overrides: what the embed snippet's optional data tags change ({color: "#RRGGBB"} is
// data-color-override, which the live widget applies over the theme colour).
export function toProps(values, context, overrides = {}) {
  const appearance = step(values, "appearance");
  const behaviors = step(values, "behaviors");
  const features = step(values, "features");
  const options = context.options;
  const t = context.text;

  // Theme color (msdyn_widgetthemecolor): header and chat-button icon background.
  const override = text(overrides.color);
  const theme = HEX_COLOUR.test(override)
    ? override
    : context.themes[text(appearance.theme_color)] || context.themes[context.default_theme];
  // Title / Subtitle (msdyn_widgettitle, msdyn_widgetsubtitle): chat button and header title.
  const title = text(appearance.title);
  const subtitle = text(appearance.subtitle);
  // Widget position (msdyn_widgetposition): the corner the chat button and the chat sit in.
  const position = text(appearance.widget_position) === options.position_left ? "left" : "right";
  // Logo (msdyn_widgeticonurl? the admin center's "Logo" URL): the header icon, https only.
  const logo = safeLogoUrl(appearance.logo_url);
  // Agent display name (msdyn_agentdisplayname) or the generic name when agents are anonymised
  // (msdyn_anonymizeagent, msdyn_genericagentdisplayname): the sample agent's name.
  const agentName = flag(appearance.anonymize_agent)
    ? text(appearance.generic_agent_name) || t.agent
    : context.sample_agents[text(appearance.agent_display_name)] || context.sample_agents.default;
  // Operating hours (msdyn_showwidgetduringoperatinghours, msdyn_offlinewidgettitle / subtitle).
  const operatingHoursOnly = flag(appearance.operating_hours_only);
  const showOffline = flag(appearance.show_offline_widget);
  const offlineTitle = text(appearance.offline_title);
  const offlineSubtitle = text(appearance.offline_subtitle);
  // Voice and video calls (msdyn_callingoptions).
  const calling = text(features.calling);
  const voice = calling === options.calling_video_and_voice || calling === options.calling_voice_only;
  const video = calling === options.calling_video_and_voice;
  // Post-conversation survey (msdyn_postconversationsurveyenable, msdyn_postconversationsurveymode,
  // msdyn_postconversationsurveymessagetext).
  const postchatLink = text(behaviors.survey_mode) !== options.survey_mode_in_conversation;
  // Only a time limit the form accepts (whole minutes from 1 to 43,200; Django's IntegerField takes
  // "30.0" too) is told to the customer: "1e" or "99999999" is refused on save, so the prompt says none.
  const typedMinutes = /^\s*(\d+)(\.0*)?\s*$/.exec(text(appearance.reconnect_time_limit));
  const minutes = typedMinutes ? Number(typedMinutes[1]) : 0;
  const reconnectMinutes = minutes >= 1 && minutes <= 43200 ? String(minutes) : "";

  // The header's default style is width 100% plus padding; border-box keeps its buttons inside the window.
  const headerStyle = {
    generalStyleProps: { backgroundColor: theme, borderRadius: "0", boxSizing: "border-box" },
    // A long title (up to 100 characters, one unbroken word included) wraps inside the header instead
    // of pushing the minimize and close buttons out of the window (frame.css keeps the logo's size).
    titleStyleProps: { minWidth: 0, overflowWrap: "anywhere" },
  };
  const buttonStyle = {
    generalStyleProps: { position: "static" },
    iconStyleProps: { backgroundColor: theme, borderColor: theme },
  };

  return {
    theme,
    position,
    agentName,
    title,
    chatButton: {
      controlProps: {
        titleText: title,
        subtitleText: subtitle,
        hideChatSubtitle: !subtitle,
        // Customer notifications, unread count (msdyn_enableunreadcount): the bubble on the button.
        hideNotificationBubble: !flag(features.notify_unread_count),
        unreadMessageCount: "1",
        onClick: () => {},
      },
      styleProps: buttonStyle,
    },
    offlineButton: {
      controlProps: {
        titleText: offlineTitle,
        subtitleText: offlineSubtitle,
        hideChatSubtitle: !offlineSubtitle,
        hideNotificationBubble: true,
        onClick: () => {},
      },
      styleProps: buttonStyle,
    },
    header: {
      controlProps: {
        headerTitleProps: { text: title },
        headerIconProps: logo ? { src: logo, alt: t.logo } : undefined,
        onMinimizeClick: () => {},
        onCloseClick: () => {},
      },
      styleProps: headerStyle,
    },
    offlineHeader: {
      controlProps: {
        headerTitleProps: { text: offlineTitle },
        hideMinimizeButton: false,
        onMinimizeClick: () => {},
        onCloseClick: () => {},
      },
      styleProps: headerStyle,
    },
    // File attachments (msdyn_enablefileattachmentsforcustomers / ...foragents), transcripts
    // (msdyn_conversationtranscriptdownload / ...email), sound notifications (msdyn_enablesound).
    footer: {
      controlProps: {
        hideDownloadTranscriptButton: !flag(features.transcript_download),
        hideEmailTranscriptButton: !flag(features.transcript_email),
        hideAudioNotificationButton: !flag(features.notify_sound),
        onDownloadTranscriptClick: () => {},
        onEmailTranscriptClick: () => {},
        onAudioNotificationClick: () => {},
      },
    },
    features: {
      attachments: flag(features.attachments_customers),
      agentAttachments: flag(features.attachments_agents),
      voice,
      video,
    },
    offline: {
      operatingHoursOnly,
      showOffline,
      hiddenWhenOffline: operatingHoursOnly && !showOffline,
      pane: { controlProps: { titleText: escapeHtml(offlineSubtitle || t.offline_body), openLinkInNewTab: true } },
    },
    prechat: {
      enabled: flag(behaviors.prechat_enabled),
      payload: JSON.stringify(prechatCard(behaviors.questions, context)),
    },
    postchat: {
      enabled: flag(behaviors.postchat_enabled),
      link: postchatLink,
      message: text(behaviors.survey_link_message),
    },
    // Reconnect to previous chat (msdyn_enablereconnect, msdyn_reconnecttimelimit).
    reconnect: {
      enabled: flag(appearance.reconnect_enabled),
      controlProps: {
        titleText: t.reconnect_title,
        subtitleText: reconnectMinutes
          ? `${t.reconnect_subtitle} ${format(t.reconnect_minutes, { minutes: reconnectMinutes })}`
          : t.reconnect_subtitle,
        continueChatButtonText: t.continue_conversation,
        startNewChatButtonText: t.start_new_conversation,
        onContinueChat: () => {},
        onStartNewChat: () => {},
        onMinimize: () => {},
      },
      styleProps: { continueChatButtonStyleProps: { backgroundColor: theme, borderColor: theme } },
    },
    // Proactive chat (msdyn_enableproactivechat): the invitation the widget shows a visitor.
    proactive: {
      enabled: flag(appearance.proactive_chat),
      controlProps: {
        titleText: title,
        subtitleText: subtitle,
        bodyTitleText: t.proactive_body,
        startButtonText: t.chat_now,
        onStart: () => {},
        onClose: () => {},
      },
      styleProps: {
        // The pane is absolutely placed by default; the preview stacks it above the chat button.
        generalStyleProps: { position: "static", margin: "0" },
        headerContainerStyleProps: { backgroundColor: theme },
        startButtonStyleProps: { backgroundColor: theme },
      },
    },
  };
}
