// The page's markup. Every control has a label; the conversation is an ARIA log (new
// messages are announced), the status line is a polite live region for tokens/s.
extension WebPage {
    static let body = #"""
    <header>
      <h1>kvserve <span id="model" class="muted"></span></h1>
      <button type="button" id="new-chat" title="Start a new conversation">New chat</button>
    </header>
    <main>
      <details id="settings">
        <summary>Settings</summary>
        <div class="grid">
          <label for="temperature">Temperature</label>
          <input id="temperature" type="number" inputmode="decimal" min="0" max="2" step="0.1" value="0.7">
          <label for="top_p">Top p</label>
          <input id="top_p" type="number" inputmode="decimal" min="0.01" max="1" step="0.05" value="0.95">
          <label for="max_tokens">Max tokens</label>
          <input id="max_tokens" type="number" inputmode="numeric" min="1" step="1" value="256">
          <label for="api_key">API key</label>
          <input id="api_key" type="password" autocomplete="off" placeholder="sent as Authorization: Bearer">
        </div>
        <p class="muted">Conversation <code id="session"></code></p>
      </details>
      <ol id="log" role="log" aria-live="polite" aria-label="Conversation"></ol>
      <p id="status" role="status" aria-live="polite" class="muted"></p>
      <form id="composer">
        <label for="message" class="visually-hidden">Message</label>
        <textarea id="message" rows="2" placeholder="Message (Enter sends, Shift+Enter for a new line)" required></textarea>
        <div class="buttons">
          <button type="submit" id="send">Send</button>
          <button type="button" id="stop" disabled>Stop</button>
        </div>
      </form>
    </main>
    """#
}
