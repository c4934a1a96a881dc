#!/usr/bin/env python3
"""Drives kvserve's chat page (GET /) in headless Chromium, as a person would.

A reply must stream (several distinct, growing texts in the DOM before it is done), Stop
must end a running reply (and the server must roll that turn back), and a reload must show
the conversation and continue it: same session id, and the next reply reuses cached tokens.
A screenshot at phone size is saved in OUT_DIR. Exits non-zero with a reason on failure.

usage: web_chat_browser.py BASE_URL OUT_DIR
Needs: Debian's chromium at /usr/bin/chromium, and `pip install playwright` (its own browser
download is not used).
"""
import json
import os
import sys
import time
import urllib.request

from playwright.sync_api import sync_playwright

CHROMIUM = os.environ.get("KVSERVE_CHROMIUM", "/usr/bin/chromium")
TIMEOUT_MS = 60_000  # a loaded 2-core machine decodes slowly; generous, never hit when it works

# Records each distinct text of the newest reply, once per DOM mutation batch: tokens that
# arrived in one network read show up as one state, so several states mean real streaming.
RECORD_STATES = """() => {
  window.__states = [];
  const log = document.getElementById('log');
  new MutationObserver(() => {
    const replies = log.querySelectorAll('.msg.assistant .text');
    const text = replies.length ? replies[replies.length - 1].textContent : '';
    const s = window.__states;
    if (text && s[s.length - 1] !== text) s.push(text);
  }).observe(log, {childList: true, subtree: true, characterData: true});
}"""


def fail(message):
    print(f"FAIL: {message}", file=sys.stderr)
    sys.exit(1)


def check(condition, message):
    if not condition:
        fail(message)


def session_tokens(base, session_id):
    with urllib.request.urlopen(f"{base}/sessions/{session_id}") as r:
        return json.load(r)["tokens"]


def send(page, text):
    page.fill("#message", text)
    page.press("#message", "Enter")  # the keyboard path, not a click


def last_reply(page):
    return page.locator("#log .msg.assistant").last


def main():
    if len(sys.argv) != 3:
        fail("usage: web_chat_browser.py BASE_URL OUT_DIR")
    base, out_dir = sys.argv[1].rstrip("/"), sys.argv[2]
    os.makedirs(out_dir, exist_ok=True)
    check(os.path.exists(CHROMIUM), f"{CHROMIUM} missing: apt-get install -y chromium")
    problems = []
    with sync_playwright() as p:
        # --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 390, "height": 780})  # a phone
        page.set_default_timeout(TIMEOUT_MS)
        page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
        page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
        page.goto(base + "/")

        # Every control is labelled (accessibility), and the reply area is a live region.
        unlabelled = page.evaluate("""() => [...document.querySelectorAll('input, textarea')]
            .filter(e => !e.labels || e.labels.length === 0).map(e => e.id)""")
        check(unlabelled == [], f"controls without a label: {unlabelled}")
        check(page.get_attribute("#log", "aria-live") == "polite", "#log is not aria-live")
        session_id = page.text_content("#session")
        check(session_id and session_id.startswith("web-"), f"no session id shown: {session_id!r}")

        # Turn 1: streams, completes, is kept.
        page.click("#settings summary")  # the sampling settings are folded away at first
        page.fill("#temperature", "0")
        page.fill("#max_tokens", "24")
        page.evaluate(RECORD_STATES)
        send(page, "Hi! My name is Ada. Say hello.")
        page.wait_for_selector("#log .msg.assistant[data-state=done]")
        states = page.evaluate("window.__states")
        final1 = last_reply(page).locator(".text").text_content()
        print(f"turn 1: {len(states)} distinct DOM states, reply {final1!r}")
        check(len(states) >= 3, f"reply did not stream: DOM states {states}")
        check(all(b.startswith(a) for a, b in zip(states, states[1:-1])), f"states do not grow: {states}")
        check(states[-1] == final1 and final1.strip(), "final text differs from the last streamed state")
        check("tok/s" in page.text_content("#status"), "no tokens/s shown")
        tokens_after_turn1 = session_tokens(base, session_id)

        # Turn 2: Stop while it streams; the stop button is the only way out of a 400-token reply.
        page.fill("#max_tokens", "400")
        send(page, "Now tell me a very long story about a dragon.")
        page.wait_for_function("""() => { const r = [...document.querySelectorAll('#log .msg.assistant')].pop();
            return r.dataset.state === 'streaming' && r.querySelector('.text').textContent.length > 10; }""")
        check(page.is_enabled("#stop"), "stop is disabled while streaming")
        page.click("#stop")
        page.wait_for_selector("#log .msg.assistant[data-state=stopped]")
        check(page.is_disabled("#stop") and page.is_enabled("#send"), "buttons not reset after stop")
        print("turn 2: stopped after", page.get_attribute("#status", "data-tokens"), "tokens")
        # The server saw the client go, cancelled, and rolled the turn back.
        deadline = time.time() + 30
        while session_tokens(base, session_id) != tokens_after_turn1 and time.time() < deadline:
            time.sleep(0.2)
        check(session_tokens(base, session_id) == tokens_after_turn1, "server session kept the stopped turn")

        # Reload: same conversation, same session; the next reply reuses the cache.
        page.reload()
        page.wait_for_selector("#log .msg.assistant[data-state=done]")
        check(page.text_content("#session") == session_id, "session id changed on reload")
        texts = page.locator("#log .msg .text").all_text_contents()
        check(texts == ["Hi! My name is Ada. Say hello.", final1], f"conversation after reload: {texts}")
        page.click("#settings summary")
        page.fill("#max_tokens", "16")
        send(page, "What is my name?")
        page.wait_for_selector("#log .msg.assistant >> nth=1")
        page.wait_for_function("""() => [...document.querySelectorAll('#log .msg.assistant')].pop()
            .dataset.state === 'done'""")
        cached = int(page.get_attribute("#status", "data-cached") or "0")
        print(f"turn 3 after reload: {cached} cached tokens, status {page.text_content('#status')!r}")
        check(cached > 0, "the reply after reload reused no cached tokens")
        check(page.locator("#log .msg").count() == 4, "conversation does not hold 4 messages")

        shot = os.path.join(out_dir, "web-chat.png")
        page.screenshot(path=shot, full_page=True)
        print(f"screenshot: {shot}")
        browser.close()
    check(problems == [], f"browser reported: {problems}")
    print("web chat: all checks passed")


if __name__ == "__main__":
    main()
