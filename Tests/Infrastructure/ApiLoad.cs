using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace AddressBook.Tests.Infrastructure;

/// <summary>
/// A steady mix of writes and reads from several keep-alive clients, recording every write the API
/// acknowledged and every request that did not succeed, until stopped.
/// </summary>
public sealed class ApiLoad : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task[] _workers;
    private readonly ConcurrentBag<int> _acknowledged = [];
    private readonly ConcurrentQueue<string> _failures = [];
    private readonly ConcurrentDictionary<int, int> _statuses = new();
    private long _requests;
    private long _successes;

    private ApiLoad(Uri baseAddress, string apiKey, int workers)
    {
        _workers = [.. Enumerable.Range(0, workers).Select(worker => Task.Run(() => RunAsync(baseAddress, apiKey, worker)))];
    }

    public long Requests => Interlocked.Read(ref _requests);

    public long Successes => Interlocked.Read(ref _successes);

    public IReadOnlyCollection<int> AcknowledgedIds => _acknowledged;

    public IReadOnlyCollection<string> Failures => _failures;

    public IReadOnlyDictionary<int, int> StatusCounts => _statuses;

    /// <summary>The first 503 answer seen, to check what clients are told while the database is away.</summary>
    public TaskCompletionSource<HttpResponseMessage> FirstUnavailable { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public static ApiLoad Start(Uri baseAddress, string apiKey, int workers = 8) => new(baseAddress, apiKey, workers);

    public async Task WaitForSuccessesAsync(long count, TimeSpan? timeout = null)
    {
        using var cancellation = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(1));
        var target = Successes + count;
        while (Successes < target)
        {
            if (cancellation.IsCancellationRequested)
            {
                throw new TimeoutException($"Only {Successes} of {target} requests succeeded. Failures: {string.Join("; ", _failures.Take(5))}");
            }

            await Task.Delay(20);
        }
    }

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_workers);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await StopAsync();
        }

        _stop.Dispose();
    }

    private async Task RunAsync(Uri baseAddress, string apiKey, int worker)
    {
        using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1 }) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
        client.WithApiKey(apiKey);
        var random = new Random(worker);
        for (var i = 0; !_stop.IsCancellationRequested; i++)
        {
            var write = i % 2 == 0 || _acknowledged.IsEmpty;
            Interlocked.Increment(ref _requests);
            try
            {
                using var response = write
                    ? await client.PostAsJsonAsync("/api/contacts", new { firstName = $"Load {worker}-{i}" })
                    : await client.GetAsync($"/api/contacts/{_acknowledged.ElementAt(random.Next(Math.Min(_acknowledged.Count, 50)))}");
                _statuses.AddOrUpdate((int)response.StatusCode, 1, (_, n) => n + 1);
                if (response.StatusCode is HttpStatusCode.Created)
                {
                    _acknowledged.Add((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32());
                }

                if (response.IsSuccessStatusCode)
                {
                    Interlocked.Increment(ref _successes);
                    continue;
                }

                if (response.StatusCode == HttpStatusCode.ServiceUnavailable && !FirstUnavailable.Task.IsCompleted)
                {
                    var copy = new HttpResponseMessage(response.StatusCode) { Content = new StringContent(await response.Content.ReadAsStringAsync()) };
                    copy.Content.Headers.ContentType = response.Content.Headers.ContentType;
                    copy.Headers.RetryAfter = response.Headers.RetryAfter;
                    FirstUnavailable.TrySetResult(copy);
                }

                _failures.Enqueue($"{(write ? "POST" : "GET")} {(int)response.StatusCode}");
            }
            catch (HttpRequestException ex)
            {
                _failures.Enqueue($"{(write ? "POST" : "GET")} {ex.HttpRequestError}: {ex.Message}");
            }
            catch (TaskCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
        }
    }
}
