/**
 * view.ts — what a view of the visualizer is: a tab that mounts into the page and keeps its state in the URL.
 * Exports `View`, `ViewContext`.
 *
 * Views: `alloc` (allocators) now; the collector view (`gc`) and the virtual-memory view (`vm`) plug in
 * here the same way, one file each, listed in main.ts.
 */

/** What the page gives a view. */
export interface ViewContext {
  /** The URL's query parameters when the view was mounted. */
  params: URLSearchParams;
  /** Replaces the view's parameters in the URL (no new history entry). */
  setParams(p: Record<string, string>): void;
  /** Shows a line in the status area (`error` colours it). */
  status(text: string, error?: boolean): void;
}

/** One tab of the visualizer. */
export interface View {
  /** Short id used in the URL (`?view=alloc`). */
  id: string;
  /** Tab label. */
  title: string;
  /** False for a view whose library part has not landed yet (shown greyed, with `note`). */
  available: boolean;
  note?: string;
  /** Draws the view into `root`; returns a function that tears it down. */
  mount(root: HTMLElement, ctx: ViewContext): () => void;
}
