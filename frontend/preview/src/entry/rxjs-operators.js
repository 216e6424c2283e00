// What BroadcastService uses of "rxjs/operators" (filter).
export { filter } from "rxjs/operators/filter.js";
