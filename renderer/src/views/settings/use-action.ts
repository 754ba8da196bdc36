import { useCallback, useEffect, useRef, useState } from 'react';
import { AppError } from '../../../../shared/errors';

/** The sentence a failed call shows next to its control: the engine's own words for expected errors. */
export function errorMessage(error: unknown): string {
  return error instanceof AppError ? error.message : 'Something went wrong.';
}

export interface Action {
  busy: boolean;
  /** The last failure of this action, shown next to the control that started it. */
  error: string | null;
  setError: (message: string | null) => void;
  /** Runs `task`, tracking busy and error; resolves to whether it succeeded. */
  run: (task: () => Promise<void>) => Promise<boolean>;
}

/** One control's call to the engine: busy while it runs, and its own error message when it fails. */
export function useAction(): Action {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const run = useCallback(async (task: () => Promise<void>): Promise<boolean> => {
    setBusy(true);
    setError(null);
    try {
      await task();
      return true;
    } catch (failure) {
      setError(errorMessage(failure));
      return false;
    } finally {
      setBusy(false);
    }
  }, []);

  return { busy, error, setError, run };
}

/** An http(s) address, as the engine's schema wants it. */
export function isHttpUrl(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const { protocol } = new URL(value);
  return protocol === 'http:' || protocol === 'https:';
}

/**
 * Loads something once on mount and again on `reload()`. Only the newest answer counts when reloads
 * overlap, and none lands after the panel is gone.
 */
export function useLatest<T>(load: () => Promise<T>): {
  value: T | null;
  error: string | null;
  reload: () => Promise<void>;
} {
  const [value, setValue] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const latest = useRef(0);

  const reload = useCallback((): Promise<void> => {
    const request = ++latest.current;
    return load().then(
      (answer) => {
        if (request !== latest.current) return;
        setValue(answer);
        setError(null);
      },
      (failure: unknown) => {
        if (request === latest.current) setError(errorMessage(failure));
      },
    );
  }, [load]);

  useEffect(() => {
    void reload();
    const requests = latest;
    return () => {
      requests.current++;
    };
  }, [reload]);

  return { value, error, reload };
}
