/// The HTTP service (filled by the service work; empty for now).
public enum VigilServer {}
