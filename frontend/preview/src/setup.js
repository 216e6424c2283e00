// Library settings the preview needs, applied before any component renders (imported right after csp.js).
import { setIconOptions } from "@fluentui/style-utilities";
import { AdaptiveCard } from "adaptivecards";

// Each chat component module calls Fluent UI's initializeIcons() on import, so the icon set is
// registered several times; Fluent UI warns on each re-registration unless told not to
// (style-utilities setIconOptions). The set is the same each time, so the warning says nothing.
setIconOptions({ disableWarnings: true });

// Adaptive Cards turns TextBlock text into HTML only through a markdown processor; the preview has
// none on purpose (question texts are author text and stay text). Saying so here also stops the
// library's "Markdown processing isn't enabled" console warning (adaptivecards AdaptiveCard.applyMarkdown).
AdaptiveCard.onProcessMarkdown = (text, result) => {
  result.didProcess = false;
};
