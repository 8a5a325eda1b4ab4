/**
 * env.d.ts — types of what Vite adds to imports in the web app: `?raw` imports are the file's text.
 * Exports nothing; declares the `*?raw` module shape.
 */
declare module '*?raw' {
  const text: string;
  export default text;
}
