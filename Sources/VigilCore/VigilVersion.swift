/// The version of this Vigil build.
public enum VigilVersion {
    /// Semantic version string.
    public static let current = "0.1.0"
}
