/// Ethereum ERC20 transfer loading and features (filled by the Ethereum work; empty for now).
public enum VigilEthereum {}
