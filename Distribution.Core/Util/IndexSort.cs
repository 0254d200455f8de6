namespace ChargeManager.Distribution.Util
{
    /// <summary>
    /// Sorts an array of charger indices by a precomputed key, ties broken by index, in place and
    /// without allocating (heap sort). The tie-break makes every order total, so runs are deterministic.
    /// </summary>
    public static class IndexSort
    {
        public static void Ascending(int[] indices, int count, long[] keyByCharger)
        {
            for (int start = count / 2 - 1; start >= 0; start--)
                SiftDown(indices, start, count, keyByCharger);
            for (int end = count - 1; end > 0; end--)
            {
                int top = indices[0];
                indices[0] = indices[end];
                indices[end] = top;
                SiftDown(indices, 0, end, keyByCharger);
            }
        }

        static void SiftDown(int[] a, int root, int count, long[] key)
        {
            while (true)
            {
                int child = 2 * root + 1;
                if (child >= count)
                    return;
                // Less(x, y) inline (a call per comparison is most of a sort's time on nanoCLR).
                int c = a[child];
                if (child + 1 < count)
                {
                    int d = a[child + 1];
                    long kc = key[c], kd = key[d];
                    if (kc < kd || (kc == kd && c < d))
                    {
                        child++;
                        c = d;
                    }
                }
                int r = a[root];
                long kr = key[r], kch = key[c];
                if (!(kr < kch || (kr == kch && r < c)))
                    return;
                a[root] = c;
                a[child] = r;
                root = child;
            }
        }
    }
}
