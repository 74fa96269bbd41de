namespace EmailMonitor.Realtime;

/// <summary>
/// The event ids one connection has been sent, as sorted disjoint ranges: live delivery and
/// replay both consult it, so no event is sent twice on a connection. Live events arrive in
/// order, so the set stays a handful of ranges however many events pass.
/// </summary>
internal sealed class ReceivedEvents
{
    private readonly List<(long First, long Last)> _ranges = [];

    public bool Contains(long id)
    {
        var index = FindRangeAtOrBefore(id);
        return index >= 0 && _ranges[index].Last >= id;
    }

    public void Add(long id)
    {
        var index = FindRangeAtOrBefore(id);
        if (index >= 0 && _ranges[index].Last >= id)
        {
            return;
        }

        var joinsPrevious = index >= 0 && _ranges[index].Last == id - 1;
        var joinsNext = index + 1 < _ranges.Count && _ranges[index + 1].First == id + 1;
        if (joinsPrevious && joinsNext)
        {
            _ranges[index] = (_ranges[index].First, _ranges[index + 1].Last);
            _ranges.RemoveAt(index + 1);
        }
        else if (joinsPrevious)
        {
            _ranges[index] = (_ranges[index].First, id);
        }
        else if (joinsNext)
        {
            _ranges[index + 1] = (id, _ranges[index + 1].Last);
        }
        else
        {
            _ranges.Insert(index + 1, (id, id));
        }
    }

    public int RangeCount => _ranges.Count;

    // Index of the last range whose start is <= id, or -1.
    private int FindRangeAtOrBefore(long id)
    {
        int low = 0, high = _ranges.Count - 1, found = -1;
        while (low <= high)
        {
            var middle = low + ((high - low) / 2);
            if (_ranges[middle].First <= id)
            {
                found = middle;
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }

        return found;
    }
}
