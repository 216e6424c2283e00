// The preview page inside the iframe: Microsoft's chat components in one of the preview's states.
// Props come only from mapping.js; the sample conversation and send box stand in for the Web Chat
// transcript the live widget shows (Web Chat needs a chat session, so it is not bundled).
import React from "react";
import {
  ChatButton,
  Footer,
  Header,
  OutOfOfficeHoursPane,
  PreChatSurveyPane,
  ProactiveChatPane,
  ReconnectChatPane,
} from "./entry/components.js";

function Note({ children }) {
  return <p className="pv-note">{children}</p>;
}

function Conversation({ props, t, closing }) {
  return (
    <div className="pv-transcript" data-pv-part="conversation">
      <p className="pv-system">{t.joined.replace("%(name)s", props.agentName)}</p>
      <div className="pv-msg pv-agent">
        <span className="pv-name" data-pv-slot="agent">{props.agentName}</span>
        <p>{t.greeting}</p>
      </div>
      <div className="pv-msg pv-customer"><p>{t.customer_message}</p></div>
      {props.features.agentAttachments && (
        <div className="pv-msg pv-agent"><span className="pv-name">{props.agentName}</span><p className="pv-file">order-details.pdf</p></div>
      )}
      {closing}
    </div>
  );
}

function SendBox({ props, t }) {
  return (
    <div className="pv-sendbox" data-pv-part="sendbox">
      {props.features.attachments && (
        <span className="pv-icon" title={t.attach} data-pv-feature="attach" aria-label={t.attach} role="img">
          <svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true"><path fill="none" stroke="currentColor" strokeWidth="2" d="M16 7l-7 7a2 2 0 0 0 3 3l7-7a4 4 0 0 0-6-6l-7 7a6 6 0 0 0 8 8l6-6" /></svg>
        </span>
      )}
      <span className="pv-input">{t.type_message}</span>
    </div>
  );
}

function CallButtons({ props, t }) {
  const buttons = [];
  if (props.features.video) buttons.push(<span key="video" className="pv-call" data-pv-feature="video" title={t.video_call} role="img" aria-label={t.video_call}><svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true"><path fill="currentColor" d="M3 6h12v12H3zM16 10l5-3v10l-5-3z" /></svg></span>);
  if (props.features.voice) buttons.push(<span key="voice" className="pv-call" data-pv-feature="voice" title={t.voice_call} role="img" aria-label={t.voice_call}><svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true"><path fill="currentColor" d="M6 3l4 4-2 3c1 2 4 5 6 6l3-2 4 4-3 3C10 21 3 14 3 6z" /></svg></span>);
  return buttons;
}

function ChatWindow({ props, t, children, header }) {
  const headerProps = header || props.header;
  return (
    <div className="pv-window" data-pv-part="window">
      <Header {...headerProps} controlProps={{ ...headerProps.controlProps, rightGroup: header ? undefined : { children: CallButtons({ props, t }) } }} />
      <div className="pv-pane">{children}</div>
    </div>
  );
}

function Launcher({ props, offline }) {
  return (
    <div className="pv-launcher" data-pv-part="launcher">
      <ChatButton {...(offline ? props.offlineButton : props.chatButton)} />
    </div>
  );
}

export function Preview({ props, state, t, hideLauncher }) {
  let body = null;
  let launcher = !hideLauncher;
  let offlineLauncher = false;
  if (state === "open") {
    body = (
      <ChatWindow props={props} t={t}>
        <Conversation props={props} t={t} />
        <SendBox props={props} t={t} />
        <Footer {...props.footer} />
      </ChatWindow>
    );
  } else if (state === "offline") {
    if (!props.offline.operatingHoursOnly) body = <Note>{t.note_always_online}</Note>;
    else if (props.offline.hiddenWhenOffline) {
      body = <Note>{t.note_hidden_offline}</Note>;
      launcher = false;
    } else {
      offlineLauncher = true;
      body = (
        <div className="pv-window pv-offline" data-pv-part="window">
          <Header {...props.offlineHeader} />
          <div className="pv-pane" data-pv-part="offline-pane">
            <OutOfOfficeHoursPane {...props.offline.pane} />
          </div>
        </div>
      );
    }
  } else if (state === "prechat") {
    body = props.prechat.enabled ? (
      <ChatWindow props={props} t={t}>
        <div className="pv-scroll" data-pv-part="prechat">
          {/* The pane draws its adaptive card once, when it mounts: a new card (questions edited) mounts a new pane. */}
          <PreChatSurveyPane key={props.prechat.payload} controlProps={{ payload: props.prechat.payload, onSubmit: () => {} }} />
        </div>
      </ChatWindow>
    ) : <Note>{t.note_prechat_off}</Note>;
  } else if (state === "postchat") {
    const closing = (
      <>
        <div className="pv-msg pv-agent"><span className="pv-name">{props.agentName}</span><p>{t.closing}</p></div>
        <p className="pv-system">{t.ended}</p>
        {props.postchat.link ? (
          <div className="pv-msg pv-agent"><p><span data-pv-slot="survey_message">{props.postchat.message}</span> <span className="pv-link" data-pv-part="survey-link">{t.take_survey}</span></p></div>
        ) : (
          <div className="pv-msg pv-agent"><p className="pv-file">{t.survey_inline}</p></div>
        )}
      </>
    );
    body = props.postchat.enabled ? (
      <ChatWindow props={props} t={t}>
        <Conversation props={props} t={t} closing={closing} />
        <Footer {...props.footer} />
      </ChatWindow>
    ) : <Note>{t.note_postchat_off}</Note>;
  } else if (state === "reconnect") {
    body = props.reconnect.enabled ? (
      <div className="pv-window" data-pv-part="window">
        <ReconnectChatPane controlProps={props.reconnect.controlProps} styleProps={props.reconnect.styleProps} />
      </div>
    ) : <Note>{t.note_reconnect_off}</Note>;
  } else if (state === "proactive") {
    body = props.proactive.enabled ? (
      <div className="pv-invite" data-pv-part="proactive">
        <ProactiveChatPane controlProps={props.proactive.controlProps} styleProps={props.proactive.styleProps} />
      </div>
    ) : <Note>{t.note_proactive_off}</Note>;
  }
  return (
    <div className={`pv-stage pv-pos-${props.position}`} data-pv-state={state}>
      <div className="pv-corner">
        {body}
        {launcher && <Launcher props={props} offline={offlineLauncher} />}
      </div>
    </div>
  );
}
