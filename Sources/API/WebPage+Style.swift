// The page's style: one column that fits a phone (360 px) and grows to 48rem; system
// fonts only; dark mode from the system setting.
extension WebPage {
    static let style = #"""
    :root { color-scheme: light dark; --fg: #1b1b1b; --bg: #fafafa; --muted: #5d5d5d; --user: #e3ecfa;
      --bot: #ffffff; --line: #cfcfcf; --accent: #1f5fbf; }
    @media (prefers-color-scheme: dark) {
      :root { --fg: #ececec; --bg: #161616; --muted: #a9a9a9; --user: #22324a; --bot: #222222;
        --line: #3c3c3c; --accent: #7fb0ff; }
    }
    * { box-sizing: border-box; }
    html, body { height: 100%; margin: 0; }
    body { font: 16px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg);
      background: var(--bg); display: flex; flex-direction: column; max-width: 48rem; margin: 0 auto;
      padding: 0 0.75rem; }
    header { display: flex; align-items: center; justify-content: space-between; gap: 0.5rem; }
    h1 { font-size: 1.2rem; margin: 0.6rem 0; }
    .muted { color: var(--muted); font-weight: normal; font-size: 0.9rem; }
    main { flex: 1; display: flex; flex-direction: column; min-height: 0; }
    #log { list-style: none; padding: 0; margin: 0.5rem 0; flex: 1; overflow-y: auto; min-height: 8rem; }
    .msg { border: 1px solid var(--line); border-radius: 0.6rem; padding: 0.4rem 0.7rem; margin: 0.4rem 0;
      background: var(--bot); }
    .msg.user { background: var(--user); margin-left: 2rem; }
    .msg.assistant { margin-right: 2rem; }
    .who { display: block; font-size: 0.75rem; color: var(--muted); }
    .text { margin: 0; white-space: pre-wrap; overflow-wrap: anywhere; }
    .msg[data-state="streaming"] .text::after { content: "\258D"; color: var(--accent); }
    .note { display: block; font-size: 0.8rem; color: var(--muted); font-style: italic; }
    .msg[data-state="error"] { border-color: #c0392b; }
    #status { min-height: 1.4em; margin: 0; }
    form { display: flex; gap: 0.5rem; align-items: flex-end; padding: 0.5rem 0 0.75rem; }
    textarea { flex: 1; font: inherit; padding: 0.5rem; border-radius: 0.5rem; border: 1px solid var(--line);
      background: var(--bot); color: inherit; resize: vertical; min-height: 2.8rem; }
    .buttons { display: flex; flex-direction: column; gap: 0.3rem; }
    button { font: inherit; padding: 0.45rem 0.9rem; border-radius: 0.5rem; border: 1px solid var(--accent);
      background: var(--accent); color: var(--bg); cursor: pointer; min-width: 4.5rem; min-height: 2.4rem; }
    button[disabled] { opacity: 0.45; cursor: default; }
    #stop, #new-chat { background: transparent; color: var(--accent); }
    #new-chat { white-space: nowrap; }
    :focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
    details { border: 1px solid var(--line); border-radius: 0.5rem; padding: 0.3rem 0.7rem; }
    summary { cursor: pointer; }
    .grid { display: grid; grid-template-columns: auto 1fr; gap: 0.4rem 0.7rem; align-items: center;
      margin-top: 0.4rem; }
    .grid input { font: inherit; padding: 0.3rem; width: 100%; min-width: 0; }
    .visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0);
      white-space: nowrap; }
    """#
}
