// @vercel/ncc ships no types; this is the part of its programmatic API scripts/build.ts uses.
declare module '@vercel/ncc' {
  interface NccOptions {
    /** File name for the licenses of the bundled packages, written as an asset. */
    license?: string
    quiet?: boolean
  }
  interface NccOutput {
    code: string
    assets: Record<string, { source: string | Buffer; permissions?: number }>
  }
  export default function ncc(entry: string, options?: NccOptions): Promise<NccOutput>
}
