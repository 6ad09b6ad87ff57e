/// Links to a block explorer.
public enum Explorer {
    /// The explorer page of a transaction, e.g. `https://etherscan.io/tx/0x…`.
    public static func link(_ transactionHash: String, base: String = "https://etherscan.io") -> String {
        (base.hasSuffix("/") ? String(base.dropLast()) : base) + "/tx/" + transactionHash
    }
}
