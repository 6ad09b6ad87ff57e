import VigilCore
import VigilFeatures
