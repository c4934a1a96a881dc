import Llama
import Sessions

// The model's cache is what sessions hold; its truncate/serialize/append already match.
extension KVCache: SessionCache {}
