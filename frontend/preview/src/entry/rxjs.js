// What BroadcastService uses of rxjs 5 ("rxjs": Subject), without rxjs's index (Rx.js), which loads
// every operator and scheduler.
export { Subject } from "rxjs/Subject.js";
