import { SettingsStore, currentLearner, settingsFile } from '@mlops-lab/grader';

/** The entry path this learner chose on /path/, if any (saved by the lab server). */
export async function chosenPath(): Promise<string | undefined> {
  const settings = await SettingsStore.open(settingsFile()).get(currentLearner());
  return settings?.path;
}
