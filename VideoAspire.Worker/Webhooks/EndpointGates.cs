namespace VideoAspire.Worker.Webhooks;

/// <summary>
/// Per endpoint (URL), how many of its messages this replica holds and how many are being sent: a slow or silent
/// endpoint holds at most <c>ConcurrencyPerEndpoint</c> attempts and a short queue, never the replica's capacity.
/// </summary>
public sealed class EndpointGates(int concurrency, int queueLimit)
{
    private readonly Dictionary<string, Gate> _gates = new(StringComparer.Ordinal);

    /// <summary>The endpoint's gate with one more message held, or null when it holds its limit already.</summary>
    public Gate? TryEnter(string url)
    {
        lock (_gates)
        {
            if (!_gates.TryGetValue(url, out var gate))
            {
                gate = new Gate(this, url, new SemaphoreSlim(concurrency));
                _gates[url] = gate;
            }

            if (gate.Held >= queueLimit)
            {
                return null;
            }

            gate.Held++;
            return gate;
        }
    }

    public int Count
    {
        get
        {
            lock (_gates)
            {
                return _gates.Count;
            }
        }
    }

    private void Exit(Gate gate)
    {
        lock (_gates)
        {
            if (--gate.Held == 0)
            {
                _gates.Remove(gate.Url); // idle endpoints cost nothing
            }
        }
    }

    public sealed class Gate(EndpointGates owner, string url, SemaphoreSlim sending) : IDisposable
    {
        internal string Url { get; } = url;

        internal int Held { get; set; }

        /// <summary>Waits for one of the endpoint's sending slots.</summary>
        public Task WaitAsync(CancellationToken cancellationToken) => sending.WaitAsync(cancellationToken);

        public void ReleaseSlot() => sending.Release();

        /// <summary>The message is no longer held.</summary>
        public void Dispose() => owner.Exit(this);
    }
}
