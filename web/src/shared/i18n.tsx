// The translation module: Vietnamese first (messages/vi.ts is the source of every key),
// English switchable; the choice is remembered on the device. Screens call t('key', {param}).
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { vi } from './messages/vi.ts';
import { en } from './messages/en.ts';

export type MessageKey = keyof typeof vi;
export type Lang = 'vi' | 'en';
export type Translate = (key: MessageKey, params?: Record<string, string | number>) => string;

const CATALOGS: Record<Lang, Record<MessageKey, string>> = { vi, en };
const STORAGE_KEY = 'hssk.lang';

export function translate(lang: Lang, key: MessageKey, params?: Record<string, string | number>): string {
  const text = CATALOGS[lang][key] ?? vi[key] ?? key;
  return params ? text.replace(/\{(\w+)\}/g, (m, p: string) => (params[p] === undefined ? m : String(params[p]))) : text;
}

interface I18n {
  lang: Lang;
  setLang: (lang: Lang) => void;
  t: Translate;
}

const Context = createContext<I18n>({ lang: 'vi', setLang: () => undefined, t: (k, p) => translate('vi', k, p) });

function initialLang(): Lang {
  try {
    return localStorage.getItem(STORAGE_KEY) === 'en' ? 'en' : 'vi';
  } catch {
    return 'vi';
  }
}

export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(initialLang);
  const setLang = useCallback((next: Lang) => {
    setLangState(next);
    try {
      localStorage.setItem(STORAGE_KEY, next);
    } catch {
      // Private mode: the choice lasts for this page only.
    }
  }, []);
  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);
  const value = useMemo<I18n>(() => ({ lang, setLang, t: (key, params) => translate(lang, key, params) }), [lang, setLang]);
  return <Context.Provider value={value}>{children}</Context.Provider>;
}

export function useI18n(): I18n {
  return useContext(Context);
}

export function useT(): Translate {
  return useContext(Context).t;
}
