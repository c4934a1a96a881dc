import Foundation
import Synchronization
import Grammar
import Sampling
import Tokenization

extension Engine {
    /// The next token of a slot with a structured-output constraint, advanced past it; nil when
    /// the run ends here: the document is complete and nothing may follow (finish reason stop),
    /// or no token can continue it (an error).
    func sampleConstrained(_ slot: DecodeSlot, _ schema: CompiledSchema) -> Int32? {
        let constraint: JSONConstraint
        if let existing = slot.constraint {
            constraint = existing
        } else {
            let tokenizer = self.tokenizer
            constraint = JSONConstraint(schema: schema, trie: ConstraintVocabulary.trie(for: tokenizer),
                                        tokenBytes: { tokenizer.tokenBytes($0) })
            slot.constraint = constraint
        }
        if constraint.mustEnd {
            slot.outcome.reason = .stop
            return nil
        }
        guard let token = slot.sampler.sample(logits: &slot.logits, history: slot.history[...],
                                              allows: constraint.allows, allowedTokens: constraint.allowedTokens),
              constraint.advance(token) else {
            slot.error = GenerationError.internalError("no token of the vocabulary continues the JSON document")
            return nil
        }
        return token
    }
}

/// The token trie of each tokenizer, built on first use (tens of milliseconds for a 150k
/// vocabulary) and kept for the life of the process. Control tokens are never JSON text.
public enum ConstraintVocabulary {
    private static let tries = Mutex<[ObjectIdentifier: (tokenizer: Tokenizer, trie: TokenTrie)]>([:])

    public static func trie(for tokenizer: Tokenizer) -> TokenTrie {
        tries.withLock { tries in
            if let hit = tries[ObjectIdentifier(tokenizer)] { return hit.trie }
            let trie = build(for: tokenizer)
            tries[ObjectIdentifier(tokenizer)] = (tokenizer, trie)
            return trie
        }
    }

    private static func build(for tokenizer: Tokenizer) -> TokenTrie {
        var endOfGeneration = Set<Int32>()
        let bytes: [[UInt8]?] = (0..<Int32(tokenizer.vocabSize)).map { id in
            if tokenizer.isEndOfGeneration(id) { endOfGeneration.insert(id) }
            switch tokenizer.tokenType(id) {
            case .control?, .unknown?, .unused?, nil: return nil
            default: return tokenizer.tokenBytes(id)
            }
        }
        return TokenTrie(tokenBytes: bytes, endOfGeneration: endOfGeneration)
    }
}
