#!/usr/bin/env python3
"""Drives a running kvserve with the real PyPI clients (openai, ollama; versions pinned in
requirements.txt). Run by Tests/EndToEndTests/ClientCompatibilityTests.swift, which starts
the server (API keys KEY_A and KEY_B, a state directory) and restarts it between phases:

  test_clients.py main    PORT STATE_FILE   # SmolLM2: chat, n, logprobs, stop, completions,
                                            # responses chain + fork, keys, Ollama
  test_clients.py restart PORT STATE_FILE   # same state dir after a restart: the chain goes on
  test_clients.py tools   PORT              # Qwen2.5 (template with tools): tool calls

Every check is an assert with a message; the first failure exits non-zero."""
import json
import sys
import urllib.error
import urllib.request

import jsonschema
import ollama
import openai

KEY_A, KEY_B = "test-key-a", "test-key-b"


def client(port, key=KEY_A):
    return openai.OpenAI(base_url=f"http://127.0.0.1:{port}/v1", api_key=key, max_retries=0, timeout=120)


def raw(port, method, path, body=None, key=KEY_A):
    """(status, parsed JSON body) of a plain HTTP request."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data, method=method)
    request.add_header("Content-Type", "application/json")
    if key:
        request.add_header("Authorization", f"Bearer {key}")
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


QUESTION = [{"role": "user", "content": "Name three colors of the rainbow."}]


def check_models(c):
    models = c.models.list().data
    assert len(models) == 1 and models[0].object == "model", models
    assert c.models.retrieve(models[0].id).id == models[0].id
    return models[0].id


def check_chat_plain_and_streamed(c, model):
    plain = c.chat.completions.create(model=model, messages=QUESTION, temperature=0, max_tokens=24)
    text = plain.choices[0].message.content
    assert plain.object == "chat.completion" and text, plain
    assert plain.choices[0].finish_reason in ("stop", "length"), plain
    assert plain.usage.prompt_tokens > 0 and plain.usage.completion_tokens > 0, plain.usage
    assert plain.usage.total_tokens == plain.usage.prompt_tokens + plain.usage.completion_tokens
    chunks = list(c.chat.completions.create(model=model, messages=QUESTION, temperature=0, max_tokens=24,
                                            stream=True, stream_options={"include_usage": True}))
    streamed = "".join(ch.choices[0].delta.content or "" for ch in chunks if ch.choices)
    assert streamed == text, (streamed, text)
    assert chunks[-1].usage and chunks[-1].usage.completion_tokens == plain.usage.completion_tokens, chunks[-1]
    finishes = [ch.choices[0].finish_reason for ch in chunks if ch.choices and ch.choices[0].finish_reason]
    assert finishes == [plain.choices[0].finish_reason], finishes
    # "model" may be any name (as llama.cpp's server accepts).
    other = c.chat.completions.create(model="gpt-4o-mini", messages=QUESTION, temperature=0, max_tokens=24)
    assert other.choices[0].message.content == text
    return plain


def check_n(c, model):
    r = c.chat.completions.create(model=model, messages=QUESTION, temperature=1.0, seed=7, n=3, max_tokens=8)
    assert sorted(ch.index for ch in r.choices) == [0, 1, 2], r
    assert all(ch.message.content for ch in r.choices), r
    assert r.usage.completion_tokens <= 3 * 8 and r.usage.completion_tokens >= 3, r.usage
    again = c.chat.completions.create(model=model, messages=QUESTION, temperature=1.0, seed=7, n=3, max_tokens=8)
    assert [ch.message.content for ch in again.choices] == [ch.message.content for ch in r.choices], "seeded n=3 differs"
    streamed = list(c.chat.completions.create(model=model, messages=QUESTION, temperature=1.0, seed=7, n=3,
                                              max_tokens=8, stream=True))
    texts = {i: "" for i in range(3)}
    for ch in streamed:
        for choice in ch.choices:
            texts[choice.index] += choice.delta.content or ""
    assert [texts[i] for i in range(3)] == [ch.message.content for ch in r.choices], texts


def check_logprobs(c, model):
    r = c.chat.completions.create(model=model, messages=QUESTION, temperature=0, max_tokens=6, logprobs=True,
                                  top_logprobs=3)
    content = r.choices[0].logprobs.content
    assert len(content) == r.usage.completion_tokens, (len(content), r.usage)
    for entry in content:
        assert entry.logprob <= 0 and len(entry.top_logprobs) == 3, entry
        # Greedy: the chosen token is the most likely one.
        assert entry.top_logprobs[0].token == entry.token, entry
        assert abs(entry.top_logprobs[0].logprob - entry.logprob) < 1e-5, entry
        assert entry.top_logprobs[0].logprob >= entry.top_logprobs[1].logprob >= entry.top_logprobs[2].logprob
    assert "".join(e.token for e in content) == r.choices[0].message.content


def check_stop(c, model, plain_text):
    words = plain_text.split()
    assert len(words) >= 3, plain_text
    stop = " " + words[2]
    r = c.chat.completions.create(model=model, messages=QUESTION, temperature=0, max_tokens=24, stop=[stop])
    assert r.choices[0].finish_reason == "stop", r
    assert r.choices[0].message.content == plain_text[:plain_text.index(stop)], (r.choices[0].message.content, stop)


def check_completions(c, model):
    r = c.completions.create(model=model, prompt="The capital of France is", temperature=0, max_tokens=6)
    assert r.object == "text_completion" and r.choices[0].text, r
    assert r.choices[0].finish_reason == "length" and r.usage.completion_tokens == 6, r
    chunks = list(c.completions.create(model=model, prompt="The capital of France is", temperature=0, max_tokens=6,
                                       stream=True))
    assert "".join(ch.choices[0].text for ch in chunks if ch.choices) == r.choices[0].text


def check_resent_history_is_cached(c, model, first):
    history = QUESTION + [{"role": "assistant", "content": first.choices[0].message.content},
                          {"role": "user", "content": "And two more?"}]
    r = c.chat.completions.create(model=model, messages=history, temperature=0, max_tokens=8)
    cached = r.usage.prompt_tokens_details.cached_tokens
    assert cached >= first.usage.prompt_tokens, (cached, first.usage)


def check_errors(port, c, model):
    try:
        c.chat.completions.create(model=model, messages=QUESTION, max_tokens="five")
        raise AssertionError("a string max_tokens was accepted")
    except openai.BadRequestError as error:
        assert error.body["param"] == "max_tokens" and "code" in error.body, error.body
    status, body = raw(port, "GET", "/v1/nothing")
    assert status == 404 and set(body["error"]) == {"message", "type", "param", "code"}, (status, body)
    status, body = raw(port, "PUT", "/v1/models")
    assert status == 405 and "code" in body["error"], (status, body)
    try:
        c.chat.completions.create(model=model, messages=QUESTION, max_tokens=4,
                                  tools=[{"type": "function", "function": {"name": "f", "parameters": {}}}])
        raise AssertionError("tools were accepted by a template without tool support")
    except openai.BadRequestError as error:
        assert error.body["param"] == "tools", error.body


def check_keys(port, model):
    status, _ = raw(port, "GET", "/health", key=None)
    assert status == 200
    for key in (None, "wrong-key"):
        status, body = raw(port, "GET", "/v1/models", key=key)
        assert status == 401 and "code" in body["error"], (status, body)
        status, body = raw(port, "POST", "/generate", {"prompt": "hi", "max_tokens": 1}, key=key)
        assert status == 401 and "code" not in body["error"], (status, body)
    try:
        client(port, "wrong-key").models.list()
        raise AssertionError("a wrong key was accepted")
    except openai.AuthenticationError:
        pass
    status, body = raw(port, "POST", "/generate", {"messages": QUESTION, "max_tokens": 2, "session_id": "mine"})
    assert status == 200 and body["session_id"] == "mine", body
    assert raw(port, "GET", "/sessions/mine")[0] == 200
    assert raw(port, "GET", "/sessions/mine", key=KEY_B)[0] == 404
    assert "mine" not in [s["id"] for s in raw(port, "GET", "/sessions", key=KEY_B)[1]["sessions"]]


def usage_of(r):
    return r.usage.input_tokens, r.usage.input_tokens_details.cached_tokens, r.usage.output_tokens


def follow(c, model, previous, text):
    r = c.responses.create(model=model, input=text, previous_response_id=previous.id, temperature=0,
                           max_output_tokens=10)
    history = previous.usage.input_tokens + previous.usage.output_tokens
    inputs, cached, _ = usage_of(r)
    # The whole earlier conversation is reused; only this turn's closing + new input is prefilled.
    assert cached >= history, (cached, history)
    assert inputs - cached < 40, (inputs, cached)
    return r


def check_responses(port, c, model):
    first = c.responses.create(model=model, input="Hello, my name is Ann.", instructions="Answer briefly.",
                               temperature=0, max_output_tokens=10)
    assert first.object == "response" and first.output_text and first.status in ("completed", "incomplete"), first
    chain = [first]
    for turn in ["What is my name?", "Say it again.", "Spell it.", "Thanks!"]:
        chain.append(follow(c, model, chain[-1], turn))
    assert len(chain) == 5
    got = c.responses.retrieve(chain[-1].id)
    assert got.output_text == chain[-1].output_text, (got.output_text, chain[-1].output_text)
    # A fork: two follow-ups of the same response are independent branches.
    a = follow(c, model, chain[2], "Count to three.")
    b = follow(c, model, chain[2], "Name a fruit.")
    assert a.id != b.id and a.usage.input_tokens_details.cached_tokens == b.usage.input_tokens_details.cached_tokens
    follow(c, model, chain[3], "One more time.")  # the original branch is untouched
    # Streaming: the documented events, in order.
    events = list(c.responses.create(model=model, input="Hi", previous_response_id=chain[4].id, temperature=0,
                                     max_output_tokens=6, stream=True))
    types = [e.type for e in events]
    expected = ["response.created", "response.in_progress", "response.output_item.added",
                "response.content_part.added"]
    assert types[:4] == expected, types
    assert types[-4:-1] == ["response.output_text.done", "response.content_part.done", "response.output_item.done"], types
    assert types[-1] in ("response.completed", "response.incomplete"), types
    deltas = "".join(e.delta for e in events if e.type == "response.output_text.delta")
    assert deltas == events[-1].response.output_text, (deltas, events[-1].response.output_text)
    # store: false keeps nothing.
    gone = c.responses.create(model=model, input="Hi", store=False, temperature=0, max_output_tokens=3)
    expect_not_found(lambda: c.responses.retrieve(gone.id))
    # Another key sees none of it.
    other = client(port, KEY_B)
    expect_not_found(lambda: other.responses.retrieve(first.id))
    expect_not_found(lambda: other.responses.create(model=model, input="x", previous_response_id=first.id,
                                                    max_output_tokens=2))
    # Delete.
    extra = follow(c, model, chain[1], "Bye.")
    c.responses.delete(extra.id)
    expect_not_found(lambda: c.responses.retrieve(extra.id))
    return chain[-1]


def expect_not_found(call):
    try:
        call()
        raise AssertionError("expected 404")
    except openai.NotFoundError:
        pass


def check_ollama(port, model):
    o = ollama.Client(host=f"http://127.0.0.1:{port}", headers={"Authorization": f"Bearer {KEY_A}"})
    options = {"temperature": 0, "num_predict": 16}
    plain = o.chat(model=model, messages=QUESTION, options=options, stream=False)
    assert plain.done and plain.message.role == "assistant" and plain.message.content, plain
    assert plain.eval_count == 16 or plain.done_reason == "stop", plain
    streamed = "".join(part.message.content for part in o.chat(model=model, messages=QUESTION, options=options,
                                                                stream=True))
    assert streamed == plain.message.content, (streamed, plain.message.content)
    generated = o.generate(model=model, prompt="Name three colors of the rainbow.", options=options)
    assert generated.response == plain.message.content, (generated.response, plain.message.content)
    assert [m.model for m in o.list().models] == [model]
    assert o.show(model) is not None


PERSON_SCHEMA = {
    "type": "object",
    "properties": {
        "name": {"type": "string", "maxLength": 20},
        "age": {"type": "integer"},
        "role": {"enum": ["admin", "user", "guest"]},
        "tags": {"type": "array", "items": {"type": "string", "maxLength": 10}, "maxItems": 3},
        "address": {
            "type": "object",
            "properties": {"city": {"type": "string", "maxLength": 20},
                           "zip": {"anyOf": [{"type": "integer"}, {"type": "null"}]}},
            "required": ["city", "zip"], "additionalProperties": False,
        },
        "score": {"anyOf": [{"type": "number"}, {"type": "boolean"}]},
    },
    "required": ["name", "age", "role", "address"],
    "additionalProperties": False,
}


def check_json_schema(c, model):
    """50 seeded samples at temperature 1.0 (5 requests x n=10), every one valid."""
    ask = [{"role": "user", "content": "Describe a fictional person as JSON with name, age, role, tags and address."}]
    fmt = {"type": "json_schema", "json_schema": {"name": "person", "schema": PERSON_SCHEMA, "strict": True}}
    outputs = []
    for seed in range(0, 50, 10):  # choice i samples with seed + i: 50 different seeds
        r = c.chat.completions.create(model=model, messages=ask, temperature=1.0, seed=seed, n=10,
                                      max_tokens=300, response_format=fmt)
        for choice in r.choices:
            assert choice.finish_reason == "stop", choice
            jsonschema.validate(json.loads(choice.message.content), PERSON_SCHEMA)
            outputs.append(choice.message.content)
    assert len(outputs) == 50 and len(set(outputs)) > 25, f"{len(set(outputs))} distinct of {len(outputs)}"
    short = [{"role": "user", "content": 'Reply with a JSON object whose key "ok" is true.'}]
    obj = c.chat.completions.create(model=model, messages=short, temperature=0, max_tokens=60,
                                    response_format={"type": "json_object"})
    assert obj.choices[0].finish_reason == "stop", obj
    assert isinstance(json.loads(obj.choices[0].message.content), dict), obj
    bad = {"type": "json_schema", "json_schema": {"name": "x", "schema": {"type": "string", "pattern": "a+"}}}
    try:
        c.chat.completions.create(model=model, messages=ask, max_tokens=8, response_format=bad)
        raise AssertionError("an unsupported schema keyword must be a 400")
    except openai.BadRequestError as error:
        assert "pattern" in str(error), error


def main_phase(port, state_file):
    c = client(port)
    model = check_models(c)
    plain = check_chat_plain_and_streamed(c, model)
    check_n(c, model)
    check_logprobs(c, model)
    check_stop(c, model, plain.choices[0].message.content)
    check_completions(c, model)
    check_resent_history_is_cached(c, model, plain)
    check_json_schema(c, model)  # after: its 50 samples take the anonymous prefix caches
    check_errors(port, c, model)
    check_keys(port, model)
    last = check_responses(port, c, model)
    check_ollama(port, model)
    with open(state_file, "w") as f:
        json.dump({"last": last.id, "text": last.output_text,
                   "history": last.usage.input_tokens + last.usage.output_tokens}, f)


def restart_phase(port, state_file):
    with open(state_file) as f:
        saved = json.load(f)
    c = client(port)
    model = check_models(c)
    assert c.responses.retrieve(saved["last"]).output_text == saved["text"]
    r = c.responses.create(model=model, input="Are you still there?", previous_response_id=saved["last"],
                           temperature=0, max_output_tokens=8)
    inputs, cached, _ = usage_of(r)
    assert cached >= saved["history"], (cached, saved)
    assert inputs - cached < 40, (inputs, cached)
    expect_not_found(lambda: client(port, KEY_B).responses.retrieve(saved["last"]))


def tools_phase(port):
    c = client(port)
    model = check_models(c)
    tools = [{"type": "function", "function": {
        "name": "get_weather", "description": "Current weather of a city",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}]
    messages = [{"role": "user", "content": "What is the weather in Paris right now? Use the tool."}]
    r = c.chat.completions.create(model=model, messages=messages, tools=tools, temperature=0, max_tokens=64)
    choice = r.choices[0]
    assert choice.finish_reason == "tool_calls", choice
    call = choice.message.tool_calls[0]
    assert call.id.startswith("call_") and call.type == "function" and call.function.name == "get_weather", call
    assert "paris" in json.loads(call.function.arguments)["city"].lower(), call.function.arguments
    chunks = list(c.chat.completions.create(model=model, messages=messages, tools=tools, temperature=0,
                                            max_tokens=64, stream=True))
    calls = [tc for ch in chunks if ch.choices for tc in (ch.choices[0].delta.tool_calls or [])]
    assert calls and calls[0].function.name == "get_weather", chunks
    assert json.loads(calls[0].function.arguments) == json.loads(call.function.arguments)
    assert [ch.choices[0].finish_reason for ch in chunks if ch.choices and ch.choices[0].finish_reason] == ["tool_calls"]
    followup = messages + [
        {"role": "assistant", "content": None, "tool_calls": [call.model_dump()]},
        {"role": "tool", "tool_call_id": call.id, "content": json.dumps({"temperature_c": 18, "sky": "clear"})}]
    answer = c.chat.completions.create(model=model, messages=followup, tools=tools, temperature=0, max_tokens=48)
    assert answer.choices[0].finish_reason in ("stop", "length") and answer.choices[0].message.content, answer
    assert "18" in answer.choices[0].message.content, answer.choices[0].message.content


if __name__ == "__main__":
    phase, port = sys.argv[1], int(sys.argv[2])
    if phase == "main":
        main_phase(port, sys.argv[3])
    elif phase == "restart":
        restart_phase(port, sys.argv[3])
    elif phase == "tools":
        tools_phase(port)
    else:
        sys.exit(f"unknown phase {phase}")
    print(f"{phase}: all checks passed")
