// The page's behaviour. The conversation is a server session: its id and the completed
// turns live in localStorage, so a reload shows the conversation and continues it (each
// request sends only the new message; the server reuses the cached tokens). Replies stream
// as NDJSON; Stop aborts the fetch, the server sees the client go and cancels, and rolls
// the turn back, so a stopped turn is shown but not kept.
extension WebPage {
    static let script = #"""
    "use strict";
    const $ = (id) => document.getElementById(id);
    const store = {
      get(key, fallback) {
        try { const v = localStorage.getItem("kvserve." + key); return v === null ? fallback : JSON.parse(v); }
        catch { return fallback; }
      },
      set(key, value) { try { localStorage.setItem("kvserve." + key, JSON.stringify(value)); } catch {} },
      remove(key) { try { localStorage.removeItem("kvserve." + key); } catch {} },
    };
    const fields = ["temperature", "top_p", "max_tokens", "api_key"];
    let sessionId = store.get("session", null) || newSession();
    let turns = store.get("turns." + sessionId, []);
    let replay = false;      // the server lost the session: resend the whole conversation once
    let controller = null;   // the running request's AbortController

    function newSession() {
      const bytes = new Uint8Array(8);
      crypto.getRandomValues(bytes);
      const id = "web-" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
      store.set("session", id);
      return id;
    }

    function headers() {
      const h = { "Content-Type": "application/json" };
      const key = $("api_key").value.trim();
      if (key) h["Authorization"] = "Bearer " + key;
      return h;
    }

    function addMessage(role, text, state) {
      const item = document.createElement("li");
      item.className = "msg " + role;
      const who = document.createElement("span");
      who.className = "who";
      who.textContent = role === "user" ? "You" : "Assistant";
      const body = document.createElement("p");
      body.className = "text";
      body.textContent = text;
      item.append(who, body);
      if (state) item.dataset.state = state;
      $("log").append(item);
      item.scrollIntoView({ block: "end" });
      return item;
    }

    function note(item, text) {
      const n = document.createElement("span");
      n.className = "note";
      n.textContent = text;
      item.append(n);
    }

    function setBusy(busy) {
      $("send").disabled = busy;
      $("stop").disabled = !busy;
      $("log").setAttribute("aria-busy", busy ? "true" : "false");
    }

    function status(text, data) {
      const s = $("status");
      s.textContent = text;
      for (const [k, v] of Object.entries(data || {})) s.dataset[k] = String(v);
    }

    function number(id) {
      const v = $(id).value.trim();
      return v === "" || isNaN(Number(v)) ? undefined : Number(v);
    }

    // Right after a Stop the server may still hold the session for a moment (409 busy).
    async function post(body, signal) {
      for (let attempt = 0; ; attempt++) {
        const res = await fetch("generate", { method: "POST", headers: headers(), body: JSON.stringify(body), signal });
        if (res.status !== 409 || attempt >= 20) return res;
        await new Promise((r) => setTimeout(r, 250));
      }
    }

    async function errorText(res) {
      try { const e = await res.json(); return e.error && e.error.message ? e.error.message : res.statusText; }
      catch { return res.status + " " + res.statusText; }
    }

    async function send(prompt) {
      const message = { role: "user", content: prompt };
      addMessage("user", prompt);
      const reply = addMessage("assistant", "", "streaming");
      const out = reply.querySelector(".text");
      const body = { session_id: sessionId, stream: true,
        messages: replay ? turns.flat().concat([message]) : [message] };
      for (const f of ["temperature", "top_p", "max_tokens"]) { const v = number(f); if (v !== undefined) body[f] = v; }
      controller = new AbortController();
      setBusy(true);
      status("Waiting for the model…");
      let first = 0, count = 0, text = "";
      try {
        const res = await post(body, controller.signal);
        if (!res.ok) throw new Error(await errorText(res));
        const reader = res.body.getReader();
        const decoder = new TextDecoder();
        let buffer = "";
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += decoder.decode(value, { stream: true });
          let nl;
          while ((nl = buffer.indexOf("\n")) >= 0) {
            const line = buffer.slice(0, nl).trim();
            buffer = buffer.slice(nl + 1);
            if (!line) continue;
            const event = JSON.parse(line);
            if (event.error) throw new Error(event.error.message);
            if (event.token) {
              const now = performance.now();
              if (!first) first = now;
              count++;
              text += event.token.text;
              out.textContent = text;
              const rate = count > 1 ? (count - 1) / ((now - first) / 1000) : 0;
              status(count + " tokens · " + rate.toFixed(1) + " tok/s", { tokens: count });
            } else if (event.done) {
              out.textContent = event.text;
              reply.dataset.state = "done";
              turns.push([message, { role: "assistant", content: event.text }]);
              store.set("turns." + sessionId, turns);
              replay = false;
              const u = event.usage, t = event.timings;
              status(u.completion_tokens + " tokens · " + t.decode_tokens_per_s.toFixed(1) + " tok/s · prompt " +
                u.prompt_tokens + " (" + u.cached_tokens + " cached)",
                { tokens: u.completion_tokens, cached: u.cached_tokens, rate: t.decode_tokens_per_s });
            }
          }
        }
        if (reply.dataset.state === "streaming") throw new Error("the stream ended early");
      } catch (e) {
        if (e.name === "AbortError") {
          reply.dataset.state = "stopped";
          note(reply, "Stopped. This turn is not kept in the conversation.");
          status("Stopped after " + count + " tokens.", { tokens: count });
        } else {
          reply.dataset.state = "error";
          note(reply, "Error: " + e.message);
          status("Error: " + e.message);
        }
      } finally {
        controller = null;
        setBusy(false);
        $("message").focus();
      }
    }

    function showConversation() {
      $("log").replaceChildren();
      for (const [user, assistant] of turns) {
        addMessage("user", user.content);
        addMessage("assistant", assistant.content, "done");
      }
      $("session").textContent = sessionId;
    }

    $("composer").addEventListener("submit", (e) => {
      e.preventDefault();
      const text = $("message").value.trim();
      if (!text || controller) return;
      $("message").value = "";
      send(text);
    });
    $("message").addEventListener("keydown", (e) => {
      if (e.key === "Enter" && !e.shiftKey && !e.isComposing) { e.preventDefault(); $("composer").requestSubmit(); }
    });
    document.addEventListener("keydown", (e) => { if (e.key === "Escape" && controller) controller.abort(); });
    $("stop").addEventListener("click", () => { if (controller) controller.abort(); });
    $("new-chat").addEventListener("click", () => {
      if (controller) controller.abort();
      store.remove("turns." + sessionId);
      sessionId = newSession();
      turns = [];
      replay = false;
      showConversation();
      status("");
      $("message").focus();
    });
    for (const f of fields) {
      const saved = store.get("setting." + f, null);
      if (saved !== null) $(f).value = saved;
      $(f).addEventListener("change", () => store.set("setting." + f, $(f).value));
    }

    showConversation();
    fetch("health").then((r) => r.json()).then((h) => { $("model").textContent = h.model || ""; }).catch(() => {});
    // A conversation the server no longer has (expired, or a restart without state_dir)
    // is resent whole with the next message, so the model still sees it.
    if (turns.length) {
      fetch("sessions/" + encodeURIComponent(sessionId), { headers: headers() })
        .then((r) => { if (r.status === 404) replay = true; }).catch(() => {});
    }
    $("message").focus();
    """#
}
